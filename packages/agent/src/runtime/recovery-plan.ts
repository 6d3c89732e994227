/**
 * What the agent does for each rung the watchdog asks for, every step reported in the result:
 *  - soft: collect garbage, drop caches (check results, the HTTP keep-alive pool) — cheap fixes
 *    for memory growth and stale connections;
 *  - medium: degrade — pause non-critical checks, halve the frequency of the rest, refuse new
 *    remediation, report "degraded"; taken back by `vigil recover --restore` or by itself after
 *    a quiet period (the SDK's auto-restore);
 *  - maintenance: silence alerts and remediation until the window ends (detection goes on).
 */
import { type Agent, collectGarbage } from '@vigil/agent-sdk';
import type { Logger } from '@vigil/shared';
import type { AlertDispatcher } from '../actions/alert-dispatcher.js';
import type { Remediator } from '../actions/remediator.js';
import type { CheckRegistry } from '../checks/check-registry.js';
import type { AgentMetrics } from '../metrics/agent-metrics.js';

export interface RecoveryPlanParts {
  agent: Agent;
  registry: CheckRegistry;
  remediator: Remediator;
  alerts: AlertDispatcher;
  metrics: AgentMetrics;
  logger: Logger;
}

const list = (names: string[]) => (names.length ? names.join(', ') : 'none');

export class RecoveryPlan {
  readonly #p: RecoveryPlanParts;

  constructor(parts: RecoveryPlanParts) {
    this.#p = parts;
  }

  register(): void {
    const { agent } = this.#p;
    agent.onRecover('soft', () => this.soft());
    agent.onRecover('medium', () => this.medium());
    agent.onRestore(() => this.restore());
    agent.onMaintenance((untilMs) => this.maintenance(untilMs));
  }

  soft(): string[] {
    this.#p.metrics.recoveryRun('soft');
    return [collectGarbage(), ...this.#p.registry.dropCaches()];
  }

  medium(): string[] {
    const { registry, remediator, metrics } = this.#p;
    metrics.recoveryRun('medium');
    const paused = registry.pauseNonCritical();
    registry.setIntervalFactor(2);
    remediator.setRefusing(true, 'the agent is degraded');
    // The SDK moves the lifecycle to degraded once this medium succeeded, and says so.
    return [
      `paused non-critical checks: ${list(paused)}`,
      'check frequency halved',
      'new remediation refused',
    ];
  }

  restore(): string[] {
    const { registry, remediator, metrics } = this.#p;
    metrics.recoveryRun('restore');
    const resumed = registry.resumeAll();
    registry.setIntervalFactor(1);
    remediator.setRefusing(false);
    return [`resumed checks: ${list(resumed)}`, 'check frequency normal', 'remediation allowed'];
  }

  maintenance(untilMs: number): void {
    this.#p.alerts.setMaintenance(untilMs);
    this.#p.remediator.setMaintenance(untilMs);
    const until =
      untilMs > 8_000_000_000_000
        ? 'until resumed'
        : untilMs === 0
          ? 'ended'
          : `until ${new Date(untilMs).toISOString()}`;
    this.#p.logger.warn({ untilMs }, `maintenance window ${until}: alerts and remediation are silenced`);
  }
}

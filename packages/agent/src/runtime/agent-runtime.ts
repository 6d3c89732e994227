/**
 * The vigil-agent runtime: the SDK's heartbeat client, the check registry, the actions
 * (alerting, remediation), metrics and the live config, wired together. Checks change state →
 * alerts and remediation; check results → metrics and the progress counter; the roll-up of the
 * checks → the health in every heartbeat; the watchdog's recover commands → the recovery plan.
 */
import { join } from 'node:path';
import { type Agent, createAgent } from '@vigil/agent-sdk';
import { ensureDir, type Logger, resolvePaths } from '@vigil/shared';
import { AlertDispatcher } from '../actions/alert-dispatcher.js';
import { Remediator } from '../actions/remediator.js';
import { CheckRegistry, type CheckTransition } from '../checks/check-registry.js';
import { checkReport } from '../checks/check-report.js';
import { preloadFor } from '../checks/lazy-modules.js';
import type { FullConfig } from '../config/full-config.js';
import { AgentMetrics } from '../metrics/agent-metrics.js';
import { MetricsServer } from '../metrics/metrics-server.js';
import { StatusPage } from '../status-page/status-page.js';
import { AGENT_VERSION } from '../version.js';
import { ConfigAudit } from './config-audit.js';
import { applyConfig } from './config-diff.js';
import { loadStartupConfig } from './config-source.js';
import { ConfigStatus } from './config-status.js';
import { LiveConfig } from './live-config.js';
import { RecoveryPlan } from './recovery-plan.js';

export interface AgentRuntimeOptions {
  logger: Logger;
  env?: NodeJS.ProcessEnv;
  /** Overrides the config file found from the environment (tests). */
  configFile?: string | null;
}

export class AgentRuntime {
  readonly agent: Agent;
  readonly registry: CheckRegistry;
  readonly alerts: AlertDispatcher;
  readonly remediator: Remediator;
  readonly metrics = new AgentMetrics();
  readonly metricsServer: MetricsServer;
  readonly #live: LiveConfig;
  readonly #logger: Logger;
  #config: FullConfig;
  #stopping: Promise<void> | undefined;

  constructor(options: AgentRuntimeOptions) {
    const env = options.env ?? process.env;
    const logger = options.logger;
    this.#logger = logger;
    const paths = resolvePaths({ env });
    ensureDir(paths.stateDir, { mode: 0o750, report: logger });
    const configStatus = new ConfigStatus();
    const audit = new ConfigAudit(join(paths.stateDir, 'config-audit.jsonl'), logger, (entry) =>
      configStatus.note(entry),
    );
    const runningFile = join(paths.stateDir, 'agent-config.running.json');
    const configFile =
      options.configFile !== undefined ? options.configFile : env.VIGIL_CONFIG || paths.configFile;
    this.#config = loadStartupConfig({ file: configFile, runningFile, audit, logger });

    const agentConfig = this.#config.agent;
    this.agent = createAgent({
      name: 'vigil-agent',
      version: AGENT_VERSION,
      logger,
      env,
      restoreAfterMs: agentConfig.recovery.medium.restoreAfterMs,
      // Record a blocked loop's stack at half the watchdog's deadline (the launcher says so too).
      ...(env.VIGIL_STALL_MS
        ? {}
        : { stallMs: Math.max(100, Math.floor(this.#config.watchdog.heartbeat.timeoutMs / 2)) }),
    });
    this.agent.on('state', (to) => this.metrics.degraded(to === 'degraded'));
    this.metrics.memoryLimits(() => this.#config.watchdog.resources.memory);
    configStatus.listen((report) => this.agent.reportConfig(report));
    this.registry = new CheckRegistry({ context: { stateDir: paths.stateDir, logger } });
    this.alerts = new AlertDispatcher({ config: agentConfig.alerts, logger, metrics: this.metrics });
    this.remediator = new Remediator({ logger, metrics: this.metrics });
    this.metricsServer = new MetricsServer(
      this.metrics.registry,
      logger,
      (text) => this.agent.reportWarning('metrics', text),
      new StatusPage({ statusFile: paths.statusFile, historyFile: paths.historyFile }),
    );

    this.registry.on('result', (result) => {
      this.metrics.checkResult(result.name, result.error ? 'error' : result.status, result.durationMs);
      // Every finished check is progress: the watchdog can tell "busy but moving" from "stuck".
      this.agent.tick();
    });
    this.registry.on('transition', (transition) => this.#onTransition(transition));
    this.agent.setHealth(() => {
      const summary = this.registry.summary();
      // Degraded is the answer to a medium rung; still failing means medium did not help.
      return this.agent.lifecycle === 'degraded' && summary.status !== 'failing'
        ? { ...summary, status: 'degraded' }
        : summary;
    });
    this.agent.reportChecks(
      () => this.registry.states().map(checkReport),
      () => this.registry.revision,
    );
    new RecoveryPlan({
      agent: this.agent,
      registry: this.registry,
      remediator: this.remediator,
      alerts: this.alerts,
      metrics: this.metrics,
      logger,
    }).register();

    // With no file named and none found, the default places are watched: a config created later
    // is loaded, logged and audited like any change.
    this.#live = new LiveConfig({
      file: configFile ?? paths.configCandidates,
      initial: this.#config,
      backupFile: join(paths.stateDir, 'agent-config.backup.json'),
      runningFile,
      audit,
      logger,
      onOutcome: (result) => this.metrics.configReload(result),
      apply: async (next, previous) => {
        const changes = await applyConfig(next, previous, this);
        this.#config = next;
        return changes;
      },
    });
  }

  get config(): FullConfig {
    return this.#config;
  }

  async start(): Promise<void> {
    const { agent: agentConfig } = this.#config;
    await preloadFor(agentConfig.checks);
    this.registry.apply(agentConfig.checks);
    for (const state of this.registry.states())
      this.metrics.checkStatus(state.name, state.type, state.status, state.paused);
    await this.metricsServer.listen(agentConfig.metrics.enabled ? agentConfig.metrics.listen : undefined);
    this.#live.start();
    this.agent.start();
    this.agent.setState('ready');
  }

  /** Re-reads the config file now (SIGHUP); resolves when handled. */
  reload(): Promise<void> {
    return this.#live.reload();
  }

  /** Graceful stop: in-flight checks and actions are cancelled or finished, the socket closed. */
  stop(): Promise<void> {
    this.#stopping ??= this.#stopNow();
    return this.#stopping;
  }

  async #stopNow(): Promise<void> {
    this.agent.setState('stopping');
    this.#live.stop();
    await Promise.allSettled([
      this.registry.stop(),
      this.remediator.close(),
      this.alerts.close(),
      this.metricsServer.close(),
    ]);
    this.metrics.close();
    await this.agent.stop();
  }

  #onTransition(transition: CheckTransition): void {
    const { config, result } = transition;
    const state = this.registry.states().find((s) => s.name === transition.name);
    this.metrics.checkStatus(transition.name, config.type, transition.to, state?.paused ?? false);
    const level = transition.to === 'ok' ? 'info' : 'warn';
    this.#logger[level](
      { check: transition.name, from: transition.from, to: transition.to, summary: result.summary },
      'check changed state',
    );
    const change = {
      name: transition.name,
      type: config.type,
      from: transition.from,
      to: transition.to,
      summary: result.summary,
      critical: config.critical,
      labels: config.labels,
      alert: config.alert,
      remediate: config.remediate,
      at: result.at,
    };
    this.alerts.onChange(change);
    void this.remediator.onChange(change);
  }
}

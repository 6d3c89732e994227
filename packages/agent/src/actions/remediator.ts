/**
 * Runs a check's `remediate.command` when the check goes critical: with retries (p-retry,
 * backoff on the injected clock), at most one run per check at a time, guarded by a circuit
 * breaker per check, and not at all while refusing (the medium rung) or in maintenance.
 */
import { type Clock, type Logger, systemClock } from '@vigil/shared';
import type { RemediationConfig } from '../config/checks-schema.js';
import { agentErrors } from '../errors.js';
import type { CheckChange } from './action-types.js';
import { type BreakerState, CircuitBreaker } from './circuit-breaker.js';
import { InFlight } from './in-flight.js';
import { MaintenanceWindow } from './maintenance-window.js';
import { runWithRetries } from './run-with-retries.js';

export type SkipReason = 'breaker' | 'refused' | 'maintenance' | 'running';

export interface RemediationOutcome {
  check: string;
  ok: boolean;
  /** Runs of the command (0 when skipped). */
  attempts: number;
  /** The last run's exit code; null when it was killed, timed out or never started. */
  exitCode: number | null;
  skipped?: SkipReason;
  /** The tail of the last run's output. */
  output: string;
}

/** What the runtime wires to prom-client (AgentMetrics has these methods). */
export interface RemediationMetrics {
  remediationRun(check: string, result: 'ok' | 'failed' | 'skipped'): void;
  breakerState(check: string, state: BreakerState): void;
}

export interface RemediatorOptions {
  logger: Logger;
  clock?: Clock | undefined;
  metrics?: RemediationMetrics | undefined;
  /** First backoff between attempts; doubles up to maxRetryDelayMs. */
  retryDelayMs?: number | undefined;
  maxRetryDelayMs?: number | undefined;
  /** How much of a run's output is kept. */
  outputBytes?: number | undefined;
  /** How long close() lets running commands finish before killing them. */
  closeGraceMs?: number | undefined;
}

export class Remediator {
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #metrics: RemediationMetrics | undefined;
  readonly #o: Required<
    Pick<RemediatorOptions, 'retryDelayMs' | 'maxRetryDelayMs' | 'outputBytes' | 'closeGraceMs'>
  >;
  readonly #breakers = new Map<string, CircuitBreaker>();
  readonly #running = new Set<string>();
  readonly #inFlight = new InFlight();
  readonly #maintenance: MaintenanceWindow;
  #refusal: string | undefined;
  #closed = false;

  constructor(options: RemediatorOptions) {
    this.#logger = options.logger;
    this.#clock = options.clock ?? systemClock;
    this.#metrics = options.metrics;
    this.#o = {
      retryDelayMs: options.retryDelayMs ?? 1000,
      maxRetryDelayMs: options.maxRetryDelayMs ?? 30_000,
      outputBytes: options.outputBytes ?? 4096,
      closeGraceMs: options.closeGraceMs ?? 2000,
    };
    this.#maintenance = new MaintenanceWindow(this.#clock);
  }

  /**
   * Remediates a check that has just become critical. Not on warn: warn asks for a person's
   * attention, and an automatic fix is kept for a check that is failing. Entering critical from
   * warn counts too, since a slowly filling disk passes warn on its way. Null: nothing to do.
   */
  async onChange(change: CheckChange): Promise<RemediationOutcome | null> {
    const config = change.remediate;
    if (!config || change.to !== 'critical' || change.from === 'critical' || this.#closed) return null;
    const check = change.name;
    if (this.#maintenance.active) {
      return this.#skip(check, 'maintenance', `maintenance until ${iso(this.#maintenance.until)}`);
    }
    if (this.#refusal !== undefined) return this.#skip(check, 'refused', this.#refusal);
    if (this.#running.has(check)) return this.#skip(check, 'running', 'a run for this check is still going');
    const breaker = this.#breaker(check, config);
    if (!breaker.allow())
      return this.#skip(check, 'breaker', `breaker open until ${iso(breaker.reopensAt ?? 0)}`);
    this.#running.add(check);
    try {
      return await this.#inFlight.track(this.#run(check, config, breaker));
    } finally {
      this.#running.delete(check);
    }
  }

  /** While refusing (the agent is degraded), no new run starts; runs already going finish. */
  setRefusing(refuse: boolean, reason = 'the agent is degraded'): void {
    const next = refuse ? reason : undefined;
    if (next === this.#refusal) return;
    this.#refusal = next;
    this.#logger.info(
      { event: 'remediation', refusing: refuse, reason: next },
      refuse ? `remediation refused: ${reason}` : 'remediation allowed again',
    );
  }

  /** No remediation until untilMs (epoch ms); 0 ends the window. */
  setMaintenance(untilMs: number): void {
    this.#maintenance.set(untilMs);
  }

  breakerStates(): Record<string, BreakerState> {
    return Object.fromEntries([...this.#breakers].map(([check, breaker]) => [check, breaker.state]));
  }

  /** Lets running commands finish for a short grace, then kills them. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#maintenance.close();
    await this.#inFlight.drain(this.#clock, this.#o.closeGraceMs);
    for (const breaker of this.#breakers.values()) breaker.dispose();
  }

  async #run(check: string, config: RemediationConfig, breaker: CircuitBreaker): Promise<RemediationOutcome> {
    const signal = this.#inFlight.signal;
    const { last, attempts } = await runWithRetries(config, {
      ...this.#o,
      clock: this.#clock,
      signal,
      onFailedAttempt: (run, attempt, retriesLeft) =>
        this.#logger.warn(
          { event: 'remediation', check, attempt, retriesLeft, reason: run.reason },
          `remediation attempt ${attempt} failed: ${run.reason}`,
        ),
    });
    const ok = last?.ok ?? false;
    // A run cut short by close() says nothing about whether the command works.
    if (!signal.aborted) breaker.record(ok);
    this.#metrics?.remediationRun(check, ok ? 'ok' : 'failed');
    const outcome: RemediationOutcome = {
      check,
      ok,
      attempts,
      exitCode: last?.exitCode ?? null,
      output: last?.output ?? '',
    };
    if (ok) {
      this.#logger.info({ event: 'remediation', ...outcome }, `remediation of ${check} succeeded`);
    } else {
      const message = `remediation of ${check} failed after ${attempts} attempt(s): ${last?.reason ?? 'not run'}`;
      const err = agentErrors.create('VIGIL_REMEDIATION_FAILED', message, {
        detail: { command: config.command },
      });
      this.#logger.error({ event: 'remediation', err, ...outcome, breaker: breaker.state }, message);
    }
    return outcome;
  }

  #skip(check: string, skipped: SkipReason, why: string): RemediationOutcome {
    this.#metrics?.remediationRun(check, 'skipped');
    this.#logger.warn(
      { event: 'remediation', check, skipped, reason: why },
      `remediation of ${check} skipped: ${why}`,
    );
    return { check, ok: false, attempts: 0, exitCode: null, skipped, output: '' };
  }

  #breaker(check: string, config: RemediationConfig): CircuitBreaker {
    let breaker = this.#breakers.get(check);
    if (!breaker) {
      breaker = new CircuitBreaker({
        limits: config.breaker,
        clock: this.#clock,
        onChange: (to, from) => {
          this.#metrics?.breakerState(check, to);
          this.#logger.warn(
            { event: 'breaker', check, from, to },
            `remediation breaker of ${check}: ${from} → ${to}`,
          );
        },
      });
      this.#breakers.set(check, breaker);
      this.#metrics?.breakerState(check, 'closed');
    }
    breaker.limits = config.breaker;
    return breaker;
  }
}

function iso(epochMs: number): string {
  return new Date(epochMs).toISOString();
}

/**
 * The agent's health checks: built from config, each on its own timer, with hysteresis, rolled
 * up into the health summary each heartbeat carries. `apply` takes a whole new list (start-up
 * and hot reload) and changes only what differs; the recovery rungs act through
 * `dropCaches` (soft) and `pauseNonCritical` / `setIntervalFactor` (medium).
 */
import { EventEmitter } from 'node:events';
import { sdkErrors } from '@vigil/agent-sdk';
import { type HealthSummary, systemClock } from '@vigil/shared';
import type { CheckConfig } from '../config/checks-schema.js';
import { agentErrors } from '../errors.js';
import { type ApplyDiff, type CheckFactory, planApply } from './apply-checks.js';
import type { Check, CheckContext, CheckResult, CheckStatus } from './check-result.js';
import { type CheckState, type CheckTransition, snapshotState } from './check-state.js';
import { createCheck } from './create-check.js';
import { rollUpHealth } from './health-rollup.js';
import { HttpPool } from './http-pool.js';
import type { Random } from './schedule-jitter.js';
import { ScheduledCheck } from './scheduled-check.js';

export type { CheckState, CheckTransition } from './check-state.js';

export interface CheckRegistryEvents {
  result: [CheckResult];
  transition: [CheckTransition];
}

export interface CheckRegistryOptions {
  context: Omit<CheckContext, 'clock' | 'httpPool'> & Partial<Pick<CheckContext, 'clock' | 'httpPool'>>;
  /** For the jitter; tests pass a fixed one. */
  random?: Random;
  /** Builds a check from its config; tests pass scripted checks. Default: the built-in checks. */
  createCheck?: CheckFactory;
}

export class CheckRegistry extends EventEmitter<CheckRegistryEvents> {
  readonly #context: CheckContext;
  readonly #ownsPool: boolean;
  readonly #random: Random;
  readonly #create: CheckFactory;
  #entries = new Map<string, ScheduledCheck>();
  #factor = 1;
  #pausedNonCritical = false;
  #stopped = false;
  /** How many times the set of checks was replaced (apply). */
  #applied = 0;

  constructor(options: CheckRegistryOptions) {
    super();
    const { context } = options;
    this.#ownsPool = context.httpPool === undefined;
    this.#context = {
      ...context,
      clock: context.clock ?? systemClock,
      httpPool: context.httpPool ?? new HttpPool(),
    };
    this.#random = options.random ?? Math.random;
    this.#create = options.createCheck ?? createCheck;
  }

  /** Replaces the configured checks, diffed by name; throws (changing nothing) on a bad config. */
  apply(checks: readonly CheckConfig[]): ApplyDiff {
    if (this.#stopped) {
      throw agentErrors.create('VIGIL_CHECK_CONFIG_INVALID', 'apply: the registry is stopped');
    }
    const plan = planApply(this.#entries, checks, this.#context, this.#create, (check) =>
      this.#schedule(check),
    );
    this.#entries = plan.entries;
    this.#applied++;
    for (const entry of plan.retired) void this.#stopEntry(entry, 'check removed');
    for (const entry of plan.fresh) {
      if (this.#pausedNonCritical && !entry.config.critical) entry.pause();
      else entry.resume();
    }
    return plan.diff;
  }

  /** The medium rung: non-critical checks stop running (and count as paused) until resumeAll. */
  pauseNonCritical(): string[] {
    this.#pausedNonCritical = true;
    const paused: string[] = [];
    for (const entry of this.#entries.values()) {
      if (entry.config.critical || entry.paused) continue;
      entry.pause();
      paused.push(entry.config.name);
    }
    return paused;
  }

  resumeAll(): string[] {
    this.#pausedNonCritical = false;
    const resumed: string[] = [];
    for (const entry of this.#entries.values()) {
      if (!entry.paused) continue;
      entry.resume();
      resumed.push(entry.config.name);
    }
    return resumed;
  }

  /** 2 runs every check half as often; 1 is normal. The pending waits are rescaled at once. */
  setIntervalFactor(factor: number): void {
    if (!Number.isFinite(factor) || factor <= 0) {
      throw sdkErrors.create(
        'VIGIL_SDK_OPTION_INVALID',
        `setIntervalFactor: factor must be a number above 0, got ${factor}`,
      );
    }
    const ratio = factor / this.#factor;
    this.#factor = factor;
    for (const entry of this.#entries.values()) entry.rescale(ratio);
  }

  get intervalFactor(): number {
    return this.#factor;
  }

  /**
   * The soft rung: fresh HTTP connections, and the failing checks re-run now, so the watchdog's
   * verify window sees new results rather than ones from before the cure.
   */
  dropCaches(): string[] {
    const did = [`http pool: ${this.#context.httpPool.reset()}`];
    const failing = [...this.#entries.values()].filter((e) => !e.paused && e.status !== 'ok');
    for (const entry of failing) entry.runSoon();
    if (failing.length > 0) did.push(`re-running ${failing.map((e) => e.config.name).join(', ')}`);
    return did;
  }

  summary(): HealthSummary {
    return rollUpHealth(
      [...this.#entries.values()].map((e) => ({
        name: e.config.name,
        status: e.status,
        paused: e.paused,
        affectsHealth: e.config.affectsHealth,
      })),
    );
  }

  /**
   * A stamp of every check's reported state: equal stamps mean equal `states()` (the set of
   * checks and each one's results, pause and config), so the heartbeat can skip rebuilding them.
   */
  get revision(): string {
    let stamp = String(this.#applied);
    for (const entry of this.#entries.values()) stamp += `,${entry.revision}`;
    return stamp;
  }

  states(): CheckState[] {
    return [...this.#entries.values()].map(snapshotState);
  }

  /** Runs one check now (even a paused one); joins the run in flight if there is one. */
  runNow(name: string): Promise<CheckResult> {
    const entry = this.#entries.get(name);
    if (!entry) {
      const known = [...this.#entries.keys()].join(', ') || 'none';
      return Promise.reject(
        agentErrors.create('VIGIL_CHECK_UNKNOWN', `no check named "${name}" (configured: ${known})`),
      );
    }
    return entry.runNow();
  }

  /** Stops every timer, aborts the runs in flight and disposes the checks. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    const entries = [...this.#entries.values()];
    this.#entries = new Map();
    await Promise.all(entries.map((e) => this.#stopEntry(e, 'agent stopping')));
    if (this.#ownsPool) this.#context.httpPool.destroy();
  }

  async #stopEntry(entry: ScheduledCheck, reason: string): Promise<void> {
    try {
      await entry.stop(reason);
    } catch (error) {
      this.#context.logger.warn({ err: error, check: entry.config.name }, 'check did not stop cleanly');
    }
  }

  #schedule(check: Check): ScheduledCheck {
    return new ScheduledCheck(check, {
      clock: this.#context.clock,
      random: this.#random,
      intervalFactor: () => this.#factor,
      onResult: (entry, result, from) => this.#onResult(entry, result, from),
    });
  }

  #onResult(entry: ScheduledCheck, result: CheckResult, from: CheckStatus): void {
    const { logger } = this.#context;
    logger.debug({ check: result }, `check ${result.name}: ${result.status}: ${result.summary}`);
    try {
      this.emit('result', result);
    } catch (error) {
      logger.error({ err: error }, `a check result listener threw`);
    }
    const to = entry.status;
    if (to === from) return;
    // Debug only: whoever listens for transitions (the runtime) logs them for the operator.
    logger.debug({ check: result.name, from, to }, `check ${result.name}: ${from} → ${to}`);
    try {
      this.emit('transition', { name: result.name, config: entry.config, from, to, result });
    } catch (error) {
      logger.error({ err: error }, `a check transition listener threw`);
    }
  }
}

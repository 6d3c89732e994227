/**
 * One configured check on its own timer, with the state the registry reports for it. A run
 * never overlaps another run of the same check: a tick that finds one still going is skipped
 * and counted, and so is a tick while an abandoned run (one that ignored its timeout) has not
 * returned; the latter also records a critical result, so a hung check stays visibly critical
 * instead of piling up hung calls.
 */

import type { Clock, TimerHandle } from '@vigil/shared';
import type { CheckConfig } from '../config/checks-schema.js';
import { type BoundedRun, runBounded } from './bounded-run.js';
import type { Check, CheckResult, CheckStatus } from './check-result.js';
import { type Hysteresis, INITIAL_HYSTERESIS, nextHysteresis } from './hysteresis.js';
import { firstRunDelay, nextRunDelay, type Random } from './schedule-jitter.js';

export interface ScheduleHooks {
  clock: Clock;
  random: Random;
  intervalFactor(): number;
  /** Called with each result this check records (not with those of a replaced check). */
  onResult(entry: ScheduledCheck, result: CheckResult, from: CheckStatus): void;
}

export class ScheduledCheck {
  readonly #hooks: ScheduleHooks;
  #check: Check;
  #hysteresis: Hysteresis = INITIAL_HYSTERESIS;
  #timer: TimerHandle | undefined;
  #dueAt: number | undefined;
  #inFlight: { run: BoundedRun; result: Promise<CheckResult> } | undefined;
  #abandoned: BoundedRun | undefined;
  /** A run aborted by pause(): its result says nothing about the thing checked. */
  #discarded: BoundedRun | undefined;
  #stopped = false;
  last: CheckResult | undefined;
  paused = false;
  since: number;
  runs = 0;
  skipped = 0;
  /** Grows whenever what its report shows may have changed: a result, a pause or resume, new settings. */
  revision = 0;

  constructor(check: Check, hooks: ScheduleHooks) {
    this.#check = check;
    this.#hooks = hooks;
    this.since = hooks.clock.wallNow();
  }

  get config(): CheckConfig {
    return this.#check.config;
  }

  get status(): CheckStatus {
    return this.#hysteresis.status;
  }

  /** First run after a random delay, so checks started together spread out. */
  start(): void {
    this.#schedule(firstRunDelay(this.config.intervalMs, this.#hooks.random));
  }

  /** Next run as soon as the clock allows (unless one is in flight). */
  runSoon(): void {
    if (!this.paused) this.#schedule(0);
  }

  /** Stops running it; a run in flight is aborted (shedding load now) and its result discarded. */
  pause(): void {
    this.paused = true;
    this.revision++;
    this.#clearTimer();
    const inFlight = this.#inFlight;
    if (inFlight) {
      this.#inFlight = undefined;
      this.#discarded = inFlight.run;
      inFlight.run.abort('check paused: the agent is degraded');
    }
  }

  resume(): void {
    this.paused = false;
    this.revision++;
    this.start();
  }

  /** Stretches (or shrinks) the wait for the pending run by `ratio`. */
  rescale(ratio: number): void {
    if (this.#dueAt === undefined) return;
    this.#schedule(Math.max(0, this.#dueAt - this.#hooks.clock.now()) * ratio);
  }

  /**
   * Same name and type, new settings: the state stays, a run of the old check is discarded.
   * The caller restarts the timer (or keeps it paused).
   */
  replace(check: Check): void {
    const old = this.#check;
    this.#check = check;
    this.revision++;
    this.#abandoned = undefined;
    this.#inFlight?.run.abort('check retuned');
    old.dispose?.();
  }

  /**
   * Joins the run in flight, if any. After a timeout the abandoned run gets up to timeoutMs more
   * to return (a killed probe takes a moment to be reaped) before this reports it still hung.
   */
  async runNow(): Promise<CheckResult> {
    const joined = this.#joinable();
    if (joined) return joined;
    const abandoned = this.#abandoned;
    if (abandoned?.pending && !(await this.#within(abandoned.returned, this.config.timeoutMs))) {
      return this.#recordHung();
    }
    // A tick may have started a run while this waited.
    return this.#joinable() ?? this.#run();
  }

  #joinable(): Promise<CheckResult> | undefined {
    return this.#inFlight?.result;
  }

  async stop(reason: string): Promise<void> {
    this.#stopped = true;
    this.#clearTimer();
    const inFlight = this.#inFlight;
    inFlight?.run.abort(reason);
    await inFlight?.result;
    this.#check.dispose?.();
  }

  #schedule(delayMs: number): void {
    this.#clearTimer();
    if (this.#stopped) return;
    const { clock } = this.#hooks;
    this.#dueAt = clock.now() + delayMs;
    this.#timer = clock.setTimeout(() => this.#tick(), delayMs);
  }

  #clearTimer(): void {
    this.#hooks.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#dueAt = undefined;
  }

  #tick(): void {
    this.#timer = undefined;
    this.#dueAt = undefined;
    if (this.#stopped || this.paused) return;
    const { random, intervalFactor } = this.#hooks;
    this.#schedule(nextRunDelay(this.config.intervalMs, intervalFactor(), random));
    if (this.#inFlight) {
      this.skipped += 1;
    } else if (this.#abandoned?.pending) {
      this.skipped += 1;
      this.#recordHung();
    } else {
      void this.#run();
    }
  }

  #run(): Promise<CheckResult> {
    const check = this.#check;
    const run = runBounded(check, this.#hooks.clock);
    const result = run.result.then((value) => {
      if (this.#inFlight?.run === run) this.#inFlight = undefined;
      if (this.#stopped || check !== this.#check || this.#discarded === run) return value;
      if (run.pending) this.#abandoned = run;
      this.#record(value);
      return value;
    });
    this.#inFlight = { run, result };
    return result;
  }

  #within(promise: Promise<void>, ms: number): Promise<boolean> {
    const { clock } = this.#hooks;
    let timer: TimerHandle | undefined;
    const expired = new Promise<boolean>((resolve) => {
      timer = clock.setTimeout(() => resolve(false), ms);
    });
    return Promise.race([promise.then(() => true), expired]).finally(() => clock.clearTimeout(timer));
  }

  #recordHung(): CheckResult {
    const { clock } = this.#hooks;
    const { name, type, timeoutMs } = this.config;
    const result: CheckResult = {
      name,
      type,
      status: 'critical',
      summary: `still hung: a run abandoned after ${timeoutMs} ms has not returned`,
      at: clock.wallNow(),
      durationMs: 0,
      error: `VIGIL_CHECK_TIMEOUT: check "${name}" ignored its abort and has not returned`,
    };
    this.#record(result);
    return result;
  }

  #record(result: CheckResult): void {
    const from = this.#hysteresis.status;
    this.#hysteresis = nextHysteresis(this.#hysteresis, result.status, this.config);
    this.last = result;
    this.runs += 1;
    this.revision++;
    if (this.#hysteresis.status !== from) this.since = result.at;
    this.#hooks.onResult(this, result, from);
  }
}

/**
 * A remediation's circuit breaker: one state type and one transition table.
 *
 *   closed    --failure x N-->  open        (N = `failures` consecutive failed runs)
 *   open      --tick, resetMs--> half-open  (time passing is an event, from a clock timer)
 *   half-open --trial-->        half-open   (exactly one run is let through)
 *   half-open --success-->      closed
 *   half-open --failure-->      open        (the reset timer starts again)
 *
 * Anything else leaves the state as it is.
 */
import type { Clock, TimerHandle } from '@vigil/shared';

export type BreakerState = 'closed' | 'open' | 'half-open';
export type BreakerEvent = 'success' | 'failure' | 'tick' | 'trial';

export interface BreakerLimits {
  /** Consecutive failures that open the breaker. */
  failures: number;
  /** How long it stays open before one trial. */
  resetMs: number;
}

export interface BreakerData {
  readonly state: BreakerState;
  /** Consecutive failures while closed. */
  readonly failures: number;
  /** Monotonic time the breaker last opened. */
  readonly openedAt: number;
  /** In half-open: the one trial has been let through. */
  readonly trialTaken: boolean;
}

type Step = (data: BreakerData, now: number, limits: BreakerLimits) => BreakerData;

const CLOSED: BreakerData = { state: 'closed', failures: 0, openedAt: 0, trialTaken: false };
const opened = (now: number): BreakerData => ({
  state: 'open',
  failures: 0,
  openedAt: now,
  trialTaken: false,
});

const TABLE: Record<BreakerState, Partial<Record<BreakerEvent, Step>>> = {
  closed: {
    success: () => CLOSED,
    failure: (d, now, limits) =>
      d.failures + 1 >= limits.failures ? opened(now) : { ...d, failures: d.failures + 1 },
  },
  open: {
    tick: (d, now, limits) =>
      now - d.openedAt >= limits.resetMs ? { ...d, state: 'half-open', trialTaken: false } : d,
  },
  'half-open': {
    trial: (d) => ({ ...d, trialTaken: true }),
    success: () => CLOSED,
    failure: (_d, now) => opened(now),
  },
};

export function transition(
  data: BreakerData,
  event: BreakerEvent,
  now: number,
  limits: BreakerLimits,
): BreakerData {
  const step = TABLE[data.state][event];
  return step ? step(data, now, limits) : data;
}

export interface CircuitBreakerOptions {
  limits: BreakerLimits;
  clock: Clock;
  onChange?: ((to: BreakerState, from: BreakerState) => void) | undefined;
}

export class CircuitBreaker {
  limits: BreakerLimits;
  readonly #clock: Clock;
  readonly #onChange: ((to: BreakerState, from: BreakerState) => void) | undefined;
  #data: BreakerData = CLOSED;
  #resetTimer: TimerHandle | undefined;

  constructor(options: CircuitBreakerOptions) {
    this.limits = options.limits;
    this.#clock = options.clock;
    this.#onChange = options.onChange;
  }

  get state(): BreakerState {
    return this.#data.state;
  }

  /** Epoch ms at which an open breaker lets a trial through; undefined unless open. */
  get reopensAt(): number | undefined {
    if (this.#data.state !== 'open') return undefined;
    return this.#clock.wallNow() + Math.max(0, this.#data.openedAt + this.limits.resetMs - this.#clock.now());
  }

  /** Whether a run may start now; in half-open, true exactly once. */
  allow(): boolean {
    this.#send('tick');
    if (this.#data.state === 'closed') return true;
    if (this.#data.state === 'open' || this.#data.trialTaken) return false;
    this.#send('trial');
    return true;
  }

  record(ok: boolean): void {
    this.#send(ok ? 'success' : 'failure');
  }

  dispose(): void {
    this.#clock.clearTimeout(this.#resetTimer);
    this.#resetTimer = undefined;
  }

  #send(event: BreakerEvent): void {
    const before = this.#data;
    this.#data = transition(before, event, this.#clock.now(), this.limits);
    if (this.#data.state === 'open' && before.state !== 'open') this.#armReset();
    if (this.#data.state !== before.state) this.#onChange?.(this.#data.state, before.state);
  }

  #armReset(): void {
    this.dispose();
    this.#resetTimer = this.#clock.setTimeout(() => {
      this.#resetTimer = undefined;
      this.#send('tick');
    }, this.limits.resetMs);
  }
}

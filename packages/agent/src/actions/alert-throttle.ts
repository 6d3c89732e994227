/**
 * Throttling: once a check's alert has been resolved, a new firing of the same check is held
 * back for throttleMs, so a flapping check sends at most one firing/resolved pair per window.
 * A firing still wanted when the window ends is sent then: a real problem is delayed, never lost.
 */
import type { Clock, TimerHandle } from '@vigil/shared';

export interface AlertThrottleOptions {
  throttleMs: number;
  clock: Clock;
  /** Called when a check's window ends after holds() said it was held. */
  onExpire: (check: string) => void;
}

export class AlertThrottle {
  throttleMs: number;
  readonly #clock: Clock;
  readonly #onExpire: (check: string) => void;
  /** Monotonic time of each check's last delivered resolve. */
  readonly #resolvedAt = new Map<string, number>();
  readonly #wakeUps = new Map<string, TimerHandle>();

  constructor(options: AlertThrottleOptions) {
    this.throttleMs = options.throttleMs;
    this.#clock = options.clock;
    this.#onExpire = options.onExpire;
  }

  /** Starts the check's window: its resolve was just sent. */
  noteResolved(check: string): void {
    this.#resolvedAt.set(check, this.#clock.now());
  }

  /** True while a new firing of the check must wait; onExpire(check) follows when it may go. */
  holds(check: string): boolean {
    const resolvedAt = this.#resolvedAt.get(check);
    if (resolvedAt === undefined) return false;
    const left = resolvedAt + this.throttleMs - this.#clock.now();
    if (left <= 0) {
      this.#resolvedAt.delete(check);
      return false;
    }
    if (!this.#wakeUps.has(check)) {
      const wakeUp = this.#clock.setTimeout(() => {
        this.#wakeUps.delete(check);
        this.#onExpire(check);
      }, left);
      this.#wakeUps.set(check, wakeUp);
    }
    return true;
  }

  close(): void {
    for (const wakeUp of this.#wakeUps.values()) this.#clock.clearTimeout(wakeUp);
    this.#wakeUps.clear();
  }
}

/**
 * A maintenance window: until an epoch-ms deadline, alerting and remediation hold back. The end
 * is a timer on the injected clock, so whatever was held back can be dealt with then.
 */
import type { Clock, TimerHandle } from '@vigil/shared';

export class MaintenanceWindow {
  readonly #clock: Clock;
  readonly #onEnd: () => void;
  #until = 0;
  #timer: TimerHandle | undefined;

  constructor(clock: Clock, onEnd: () => void = () => {}) {
    this.#clock = clock;
    this.#onEnd = onEnd;
  }

  get active(): boolean {
    return this.#until > this.#clock.wallNow();
  }

  /** Epoch ms the window ends at; 0 when there is none. */
  get until(): number {
    return this.active ? this.#until : 0;
  }

  /** Starts, moves or (with 0 or a past time) ends the window; ending it calls onEnd. */
  set(untilMs: number): void {
    const wasActive = this.active;
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#until = untilMs > this.#clock.wallNow() ? untilMs : 0;
    if (this.active) this.#arm();
    else if (wasActive) this.#onEnd();
  }

  close(): void {
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#until = 0;
  }

  #arm(): void {
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      // The monotonic timer and the wall clock can disagree by a little: wait out the rest.
      if (this.active) this.#arm();
      else {
        this.#until = 0;
        this.#onEnd();
      }
    }, this.#until - this.#clock.wallNow());
  }
}

/**
 * Restores a degraded agent by itself once the watchdog has stopped asking for recovery for a
 * while: a medium recovery sheds work, and nobody should have to remember to take it back.
 */
export class AutoRestore {
  readonly #afterMs: number;
  readonly #restore: () => void;
  #timer: NodeJS.Timeout | undefined;

  constructor(afterMs: number, restore: () => void) {
    this.#afterMs = afterMs;
    this.#restore = restore;
  }

  get armed(): boolean {
    return this.#timer !== undefined;
  }

  /** Each recover re-arms the timer; only a medium one arms it in the first place. */
  onRecovered(level: 'soft' | 'medium' | 'restore'): void {
    if (level === 'restore') this.stop();
    else if (level === 'medium' || this.armed) this.#arm();
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #arm(): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#restore();
    }, this.#afterMs);
    // The agent's socket keeps it alive; this timer alone must not.
    this.#timer.unref();
  }
}

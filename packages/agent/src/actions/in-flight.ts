/**
 * The work a component has started and not finished (deliveries, command runs), so close() can
 * wait for it within a bound and then abort what is left.
 */
import type { Clock } from '@vigil/shared';
import { settledWithin } from '@vigil/shared';

export class InFlight {
  readonly #pending = new Set<Promise<unknown>>();
  readonly #abort = new AbortController();

  /** Aborted by drain() once the grace period is over; pass it to the work. */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  get size(): number {
    return this.#pending.size;
  }

  track<T>(work: Promise<T>): Promise<T> {
    this.#pending.add(work);
    const forget = () => this.#pending.delete(work);
    work.then(forget, forget);
    return work;
  }

  /** Waits up to graceMs for everything in flight, then aborts the rest and waits for it to stop. */
  async drain(clock: Clock, graceMs: number): Promise<void> {
    if (this.#pending.size > 0) await settledWithin(clock, Promise.allSettled([...this.#pending]), graceMs);
    this.#abort.abort(new Error('closed'));
    await Promise.allSettled([...this.#pending]);
  }
}

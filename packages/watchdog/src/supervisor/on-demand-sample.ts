/**
 * The agent's RSS and CPU measured for a status request when no sampler runs (no limits set):
 * one measurement serves every request for `maxAgeMs` and for the same pid, and concurrent
 * requests share the one in flight, so a burst of status requests reads /proc once.
 */
import type { Clock } from '@vigil/shared';
import type { ResourceSample } from '../detect/resource-sampler.js';

export type Measure = (pids: number[]) => Promise<ResourceSample | null>;

export class OnDemandSample {
  readonly #clock: Clock;
  readonly #measure: Measure;
  readonly #maxAgeMs: number;
  #last: { pid: number; at: number; sample: Promise<ResourceSample | null> } | undefined;

  constructor(clock: Clock, measure: Measure, maxAgeMs = 1000) {
    this.#clock = clock;
    this.#measure = measure;
    this.#maxAgeMs = maxAgeMs;
  }

  get(pid: number): Promise<ResourceSample | null> {
    const now = this.#clock.now();
    const last = this.#last;
    if (last && last.pid === pid && now - last.at < this.#maxAgeMs) return last.sample;
    const sample = this.#measure([pid]).catch(() => null);
    this.#last = { pid, at: now, sample };
    return sample;
  }
}

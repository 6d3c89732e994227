/**
 * CPU: percent of one core the agent used — or, on a busy host, wanted (on a CPU plus waiting for
 * one: a spinner starved to a third of a core still wants all of it) — above `maxPercent` for
 * `forSamples` samples in a row (one busy second is not a fault). Clears after a quarter as many
 * samples below 90% of the limit, so a value hovering at the limit, or one quiet sample, does
 * not flap. The incident says which figure it was judged by.
 */
import type { EmitDetectorEvent } from './detector-event.js';

export interface CpuDetectorOptions {
  maxPercent?: number | undefined;
  forSamples: number;
  emit: EmitDetectorEvent;
}

const samples = (n: number) => `${n} sample${n === 1 ? '' : 's'}`;

export class CpuDetector {
  readonly #o: CpuDetectorOptions;
  #over = 0;
  #under = 0;
  #signalled = false;
  last: number | null = null;

  constructor(options: CpuDetectorOptions) {
    this.#o = options;
  }

  get enabled(): boolean {
    return this.#o.maxPercent !== undefined;
  }

  reset(): void {
    this.#over = 0;
    this.#under = 0;
    this.#signalled = false;
    this.last = null;
  }

  sample(
    cpuPercent: number,
    demand?: { demandPercent: number | null; waitedPercent: number | null; demandPending?: boolean },
  ): void {
    // A process that just got busy: what it wants is known only from the next sample on, and a
    // starved spinner's share of a core alone must not count as "below the limit".
    if (demand?.demandPending && cpuPercent <= (this.#o.maxPercent ?? Number.POSITIVE_INFINITY)) return;
    const demandPercent = demand?.demandPercent ?? null;
    const percent = Math.max(cpuPercent, demandPercent ?? 0);
    this.last = percent;
    const max = this.#o.maxPercent;
    if (max === undefined) return;
    if (percent > max) {
      this.#over++;
      this.#under = 0;
      if (!this.#signalled && this.#over >= this.#o.forSamples) {
        this.#signalled = true;
        this.#o.emit({
          type: 'signal',
          kind: 'cpu',
          detail:
            demandPercent !== null && demandPercent > cpuPercent + 5
              ? `CPU demand ${demandPercent.toFixed(0)}% of a core (ran ${cpuPercent.toFixed(0)}%, waited ${(demand?.waitedPercent ?? 0).toFixed(0)}% for a CPU) above ${max}% for ${samples(this.#over)}`
              : `CPU ${percent.toFixed(0)}% above ${max}% for ${samples(this.#over)}`,
        });
      }
      return;
    }
    this.#over = 0;
    if (!this.#signalled) return;
    this.#under = percent < max * 0.9 ? this.#under + 1 : 0;
    if (this.#under >= Math.max(1, Math.ceil(this.#o.forSamples / 4))) {
      this.#signalled = false;
      this.#under = 0;
      this.#o.emit({ type: 'cleared', kind: 'cpu' });
    }
  }
}

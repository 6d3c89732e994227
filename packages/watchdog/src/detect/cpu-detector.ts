/**
 * CPU: percent of one core used by the agent and its descendants, above `maxPercent` for
 * `forSamples` samples in a row (one busy second is not a fault). Clears after a quarter as many
 * samples below 90% of the limit, so a value hovering at the limit, or one quiet sample, does
 * not flap.
 */
import type { EmitDetectorEvent } from './detector-event.js';

export interface CpuDetectorOptions {
  maxPercent?: number | undefined;
  forSamples: number;
  emit: EmitDetectorEvent;
}

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

  sample(percent: number): void {
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
          detail: `CPU ${percent.toFixed(0)}% above ${max}% for ${this.#over} sample${this.#over === 1 ? '' : 's'}`,
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

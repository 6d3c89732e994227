/**
 * Memory: RSS of the agent and its descendants. Above `maxRssBytes` for `forSamples` samples in
 * a row starts the ladder, and as many samples below it in a row clear it (one GC dip in the
 * middle of a leak is not a recovery); above `ceilingRssBytes` on any one sample goes straight
 * to hard. While
 * over the limit, every sample also reports whether memory is still rising, so the ladder can
 * judge a rung by the trend instead of waiting out its verify window.
 */
import type { EmitDetectorEvent } from './detector-event.js';

export interface MemoryDetectorOptions {
  maxRssBytes?: number | undefined;
  ceilingRssBytes?: number | undefined;
  forSamples: number;
  emit: EmitDetectorEvent;
  /** Growth below this between samples is noise, not a rise. */
  riseEpsilonBytes?: number;
}

const MiB = 1024 * 1024;
const mib = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;

export class MemoryDetector {
  readonly #o: MemoryDetectorOptions;
  #over = 0;
  #under = 0;
  #signalled = false;
  #ceilingSignalled = false;
  #previous: number | null = null;
  last: number | null = null;

  constructor(options: MemoryDetectorOptions) {
    this.#o = options;
  }

  get enabled(): boolean {
    return this.#o.maxRssBytes !== undefined || this.#o.ceilingRssBytes !== undefined;
  }

  reset(): void {
    this.#over = 0;
    this.#under = 0;
    this.#signalled = false;
    this.#ceilingSignalled = false;
    this.#previous = null;
    this.last = null;
  }

  sample(rssBytes: number): void {
    const { maxRssBytes, ceilingRssBytes, forSamples, emit } = this.#o;
    const previous = this.#previous;
    this.#previous = rssBytes;
    this.last = rssBytes;
    if (ceilingRssBytes !== undefined && rssBytes >= ceilingRssBytes && !this.#ceilingSignalled) {
      this.#ceilingSignalled = true;
      emit({
        type: 'signal',
        kind: 'memory-ceiling',
        detail: `RSS ${mib(rssBytes)} reached the ceiling ${mib(ceilingRssBytes)}`,
      });
    }
    if (maxRssBytes === undefined) return;
    if (rssBytes > maxRssBytes) {
      this.#over++;
      this.#under = 0;
      if (!this.#signalled && this.#over >= forSamples) {
        this.#signalled = true;
        emit({
          type: 'signal',
          kind: 'memory',
          detail: `RSS ${mib(rssBytes)} above ${mib(maxRssBytes)} for ${this.#over} sample${this.#over === 1 ? '' : 's'}`,
        });
      } else if (this.#signalled && previous !== null) {
        emit({
          type: 'trend',
          kind: 'memory',
          rising: rssBytes - previous > (this.#o.riseEpsilonBytes ?? 256 * 1024),
        });
      }
      return;
    }
    this.#over = 0;
    // One dip (a GC in the middle of a leak) is not a recovery: below for forSamples in a row is.
    if (this.#signalled && ++this.#under >= forSamples) {
      this.#signalled = false;
      this.#under = 0;
      emit({ type: 'cleared', kind: 'memory' });
    }
    if (this.#ceilingSignalled) {
      this.#ceilingSignalled = false;
      emit({ type: 'cleared', kind: 'memory-ceiling' });
    }
  }
}

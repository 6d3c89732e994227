/**
 * Event-loop delay as the heartbeat reports it: the p99 since the previous beat, in ms. A
 * busy loop shows here long before heartbeats stop arriving.
 */
import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';

const NS_PER_MS = 1e6;
const RESOLUTION_MS = 10;

export class EventLoopLag {
  #histogram: IntervalHistogram | undefined;

  start(): void {
    if (this.#histogram) return;
    this.#histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
    this.#histogram.enable();
  }

  stop(): void {
    this.#histogram?.disable();
    this.#histogram = undefined;
  }

  /** The p99 delay since the last call, then starts a new window. */
  takeP99Ms(): number {
    const histogram = this.#histogram;
    if (!histogram || histogram.count === 0) return 0;
    // Samples are the time between the monitor's own ticks, so an idle loop reads as the resolution.
    const p99 = histogram.percentile(99) / NS_PER_MS - RESOLUTION_MS;
    histogram.reset();
    return Math.max(0, p99);
  }
}

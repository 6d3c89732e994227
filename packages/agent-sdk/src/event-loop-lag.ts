/**
 * Event-loop delay as the heartbeat and the metrics report it: the p99 since the reader's
 * previous look, in ms. A busy loop shows here long before heartbeats stop arriving.
 *
 * The delay is how late the agent's pulse ticks (pulse.ts): the one timer the heartbeat and the
 * stall sentinel already wake on, so measuring it costs no wakeup of its own. (A monitor of its
 * own at 10 ms, one per reader, cost the idle agent 200 wakeups a second.) The lag limit is
 * seconds (watchdog.heartbeat.maxLagMs, 2 s by default), so the pulse's 250 ms is plenty. Each
 * reader keeps its own window, so one reader's look never clears another's.
 */
import type { RecordableHistogram } from 'node:perf_hooks';
import { closeLagWindow, openLagWindow, pulseTimersRunning } from './pulse.js';

export { LAG_RESOLUTION_MS } from './pulse.js';

const NS_PER_MS = 1e6;

/** How many pulse timers tick in this process (0 or 1), for tests and diagnostics. */
export function lagMonitorsRunning(): number {
  return pulseTimersRunning();
}

export class EventLoopLag {
  #window: RecordableHistogram | undefined;

  start(): void {
    this.#window ??= openLagWindow();
  }

  stop(): void {
    if (!this.#window) return;
    closeLagWindow(this.#window);
    this.#window = undefined;
  }

  /** The p99 delay since the last call, then starts a new window. */
  takeP99Ms(): number {
    const window = this.#window;
    if (!window || window.count === 0) return 0;
    // Samples are each tick's lateness; an on-time tick records 1 ns.
    const p99 = window.percentile(99) / NS_PER_MS;
    window.reset();
    return p99 < 0.001 ? 0 : p99;
  }
}

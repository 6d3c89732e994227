/**
 * Event-loop delay as the heartbeat and the metrics report it: the p99 since the reader's
 * previous look, in ms. A busy loop shows here long before heartbeats stop arriving.
 *
 * One monitor per process, whatever the number of readers: every tick of a monitor wakes the
 * loop, so two of them at 10 ms cost the idle agent 200 wakeups a second. The lag limit is
 * seconds (watchdog.heartbeat.maxLagMs, 2 s by default), so a tick every 100 ms is plenty. Each
 * reader keeps its own window (a histogram the tick records into), so one reader's look never
 * clears another's.
 */
import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';

const NS_PER_MS = 1e6;
/** How often the monitor ticks. */
export const LAG_RESOLUTION_MS = 100;

const windows = new Set<RecordableHistogram>();
let ticker: NodeJS.Timeout | undefined;
let lastTickAt = 0;

function tick(): void {
  const now = performance.now();
  const sinceNs = Math.max(1, Math.round((now - lastTickAt) * NS_PER_MS));
  lastTickAt = now;
  for (const window of windows) window.record(sinceNs);
}

function open(window: RecordableHistogram): void {
  windows.add(window);
  if (ticker) return;
  lastTickAt = performance.now();
  // unref: the monitor alone never keeps the process alive.
  ticker = setInterval(tick, LAG_RESOLUTION_MS).unref();
}

function close(window: RecordableHistogram): void {
  windows.delete(window);
  if (windows.size > 0 || !ticker) return;
  clearInterval(ticker);
  ticker = undefined;
}

/** How many monitors tick in this process (0 or 1), for tests and diagnostics. */
export function lagMonitorsRunning(): number {
  return ticker ? 1 : 0;
}

export class EventLoopLag {
  #window: RecordableHistogram | undefined;

  start(): void {
    if (this.#window) return;
    this.#window = createHistogram();
    open(this.#window);
  }

  stop(): void {
    if (!this.#window) return;
    close(this.#window);
    this.#window = undefined;
  }

  /** The p99 delay since the last call, then starts a new window. */
  takeP99Ms(): number {
    const window = this.#window;
    if (!window || window.count === 0) return 0;
    // Samples are the time between the monitor's own ticks, so an idle loop reads as the resolution.
    const p99 = window.percentile(99) / NS_PER_MS - LAG_RESOLUTION_MS;
    window.reset();
    return Math.max(0, p99);
  }
}

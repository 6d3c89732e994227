/**
 * The agent's pulse: one process-wide timer that every periodic duty of the SDK rides on — the
 * heartbeat, the event-loop lag windows and the stall sentinel's counter. A timer of its own for
 * each would wake the process on its own schedule: three timers at 4 a second are 12 wakeups,
 * not 4, and on an idle agent each wakeup is most of what it costs.
 *
 * A rider asks for the period it needs; the pulse ticks at the shortest period asked for and
 * calls each rider on the tick at which its own period is due (within half a tick), so a 1 s
 * rider on a 250 ms pulse is called every fourth tick. How late a tick comes is the loop's lag,
 * measured at no extra wakeup: each tick records its lateness into every open lag window before
 * any rider runs, so a rider that reads a window on a tick sees that tick's lateness too.
 */
import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';

const NS_PER_MS = 1e6;
/** The shortest period the pulse ticks at, whatever a rider asks for. */
export const MIN_PULSE_MS = 10;

export interface Ride {
  /** Asks for another period from the next tick on (a stretched heartbeat, say). */
  setPeriod(periodMs: number): void;
  stop(): void;
}

interface Rider {
  periodMs: number;
  lastAt: number;
  /** A rider that keeps the process alive (the heartbeat); the rest let it exit. */
  ref: boolean;
  onPulse(lateMs: number): void;
}

const riders = new Set<Rider>();
const windows = new Set<RecordableHistogram>();
/** The period lag windows need: the lag limit is seconds (maxLagMs, 2 s by default). */
export const LAG_RESOLUTION_MS = 250;
let timer: NodeJS.Timeout | undefined;
let periodMs = 0;
let lastTickAt = 0;

function wantedPeriod(): number {
  let wanted = windows.size > 0 ? LAG_RESOLUTION_MS : Number.POSITIVE_INFINITY;
  for (const rider of riders) wanted = Math.min(wanted, rider.periodMs);
  return Number.isFinite(wanted) ? Math.max(MIN_PULSE_MS, Math.round(wanted)) : 0;
}

function tick(): void {
  const now = performance.now();
  const lateMs = Math.max(0, now - lastTickAt - periodMs);
  lastTickAt = now;
  // At least 1 ns: a histogram ignores zero, and an on-time tick is a sample all the same.
  const lateNs = Math.max(1, Math.round(lateMs * NS_PER_MS));
  for (const window of windows) window.record(lateNs);
  const slack = periodMs / 2;
  for (const rider of [...riders]) {
    if (!riders.has(rider) || now - rider.lastAt < rider.periodMs - slack) continue;
    rider.lastAt = now;
    try {
      rider.onPulse(lateMs);
    } catch (error) {
      // The other riders still run on this tick (the heartbeat among them); the error surfaces
      // as it would from a timer of the rider's own.
      queueMicrotask(() => {
        throw error;
      });
    }
  }
}

function checkedPeriod(periodMs: number): number {
  if (typeof periodMs !== 'number' || !Number.isFinite(periodMs) || periodMs <= 0) {
    throw new TypeError(`pulse: a period must be a number of ms above 0, got ${String(periodMs)}`);
  }
  return periodMs;
}

/**
 * Starts, stops or re-times the timer after a change of riders. `restart` begins a new phase
 * from now: a rider that sets the pace (the heartbeat, which beats once at its start) gets its
 * next tick a full period later, not whenever the old phase happened to fall.
 */
function retime(restart: boolean): void {
  const wanted = wantedPeriod();
  if (wanted === periodMs && !restart) {
    refresh();
    return;
  }
  clearInterval(timer);
  timer = undefined;
  periodMs = wanted;
  if (wanted === 0) return;
  lastTickAt = performance.now();
  timer = setInterval(tick, wanted);
  refresh();
}

function refresh(): void {
  if (!timer) return;
  const ref = [...riders].some((rider) => rider.ref);
  if (ref) timer.ref();
  else timer.unref();
}

/**
 * Rides the pulse every `periodMs` (or as near as the pulse's ticks allow: within half a tick).
 * With `ref`, the pulse keeps the process alive while this ride lasts.
 */
export function ride(
  periodMs: number,
  onPulse: (lateMs: number) => void,
  options: { ref?: boolean } = {},
): Ride {
  const rider: Rider = {
    periodMs: checkedPeriod(periodMs),
    lastAt: performance.now(),
    ref: options.ref ?? false,
    onPulse,
  };
  riders.add(rider);
  retime(periodMs <= periodMsNow());
  return {
    setPeriod(next) {
      checkedPeriod(next);
      if (!riders.has(rider) || next === rider.periodMs) return;
      rider.periodMs = next;
      rider.lastAt = performance.now();
      retime(next <= periodMsNow());
    },
    stop() {
      if (riders.delete(rider)) retime(false);
    },
  };
}

function periodMsNow(): number {
  return periodMs === 0 ? Number.POSITIVE_INFINITY : periodMs;
}

/** Opens a lag window: each tick's lateness is recorded into it until it is closed. */
export function openLagWindow(): RecordableHistogram {
  const window = createHistogram();
  windows.add(window);
  retime(false);
  return window;
}

export function closeLagWindow(window: RecordableHistogram): void {
  if (windows.delete(window)) retime(false);
}

/** How many timers the pulse runs (0 or 1), for tests and diagnostics. */
export function pulseTimersRunning(): number {
  return timer ? 1 : 0;
}

/** The pulse's period now, 0 when it does not run. */
export function pulsePeriodMs(): number {
  return periodMs;
}

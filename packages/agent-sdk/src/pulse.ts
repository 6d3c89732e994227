/**
 * The agent's pulse: one process-wide timer that every periodic duty of the SDK rides on — the
 * heartbeat, the event-loop lag windows and the stall sentinel's counter. A timer of its own for
 * each would wake the process on its own schedule: three timers at 4 a second are 12 wakeups,
 * not 4, and on an idle agent each wakeup is most of what it costs.
 *
 * The pulse ticks at the shortest period asked for. A rider whose period is a whole number of
 * ticks is called every that many ticks, counted, so its calls come a full period apart and the
 * first one never later than a period after it joined; a rider whose period is not (a heartbeat
 * stretched to 1400 ms on a 250 ms pulse) gets an exact timer of its own, since the nearest tick
 * could be most of a tick late. Riders joining or leaving never move the pulse's phase unless its
 * period changes, so no rider can hold back another's ticks.
 *
 * How late a tick comes is the loop's lag, measured at no extra wakeup: each tick records its
 * lateness into every open lag window before any rider runs, so a rider that reads a window on
 * a tick sees that tick's lateness too; a re-timing records the lateness of the tick it cancels.
 */
import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';

const NS_PER_MS = 1e6;
/** The shortest period the pulse ticks at, whatever a rider asks for. */
export const MIN_PULSE_MS = 10;
/** The period lag windows need: the lag limit is seconds (maxLagMs, 2 s by default). */
export const LAG_RESOLUTION_MS = 250;
/** How far off a whole number of ticks a period may be and still ride them (timer rounding). */
const MULTIPLE_TOLERANCE_MS = 0.5;

export interface Ride {
  /** Asks for another period from now on (a stretched heartbeat, say). */
  setPeriod(periodMs: number): void;
  stop(): void;
}

interface Rider {
  periodMs: number;
  /** On the ticks: called every `every` ticks, the next in `left`. */
  every: number;
  left: number;
  /** The last call, or when it joined. */
  lastAt: number;
  /** A rider that keeps the process alive (the heartbeat); the rest let it exit. */
  ref: boolean;
  onPulse(lateMs: number): void;
  /** Its own timer, while its period is not a whole number of ticks. */
  own: NodeJS.Timeout | undefined;
}

const riders = new Set<Rider>();
const windows = new Set<RecordableHistogram>();
let timer: NodeJS.Timeout | undefined;
let periodMs = 0;
let lastTickAt = 0;

function wantedPeriod(): number {
  let wanted = windows.size > 0 ? LAG_RESOLUTION_MS : Number.POSITIVE_INFINITY;
  for (const rider of riders) wanted = Math.min(wanted, rider.periodMs);
  return Number.isFinite(wanted) ? Math.max(MIN_PULSE_MS, Math.round(wanted)) : 0;
}

/** How many ticks make the rider's period; 0 when no whole number does. */
function ticksPer(rider: Rider): number {
  if (periodMs === 0) return 0;
  const ticks = Math.round(rider.periodMs / periodMs);
  return ticks >= 1 && Math.abs(rider.periodMs - ticks * periodMs) <= MULTIPLE_TOLERANCE_MS ? ticks : 0;
}

function recordLateness(lateMs: number): void {
  // At least 1 ns: a histogram ignores zero, and an on-time tick is a sample all the same.
  const lateNs = Math.max(1, Math.round(lateMs * NS_PER_MS));
  for (const window of windows) window.record(lateNs);
}

function call(rider: Rider, lateMs: number): void {
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

function tick(): void {
  const now = performance.now();
  const lateMs = Math.max(0, now - lastTickAt - periodMs);
  lastTickAt = now;
  recordLateness(lateMs);
  for (const rider of [...riders]) {
    if (!riders.has(rider) || rider.own || --rider.left > 0) continue;
    rider.left = rider.every;
    rider.lastAt = now;
    call(rider, lateMs);
  }
}

/**
 * Puts a rider on the ticks, counting down to a call no later than a period after its last one
 * (or its joining), or, when its period is not a whole number of ticks, on an exact timer of
 * its own. `retimed`: the pulse's period just changed, so a countdown on the old ticks is void.
 */
function assign(rider: Rider, retimed: boolean): void {
  const every = ticksPer(rider);
  if (every === 0) {
    rider.every = 0;
    if (!rider.own) {
      rider.own = setInterval(() => {
        rider.lastAt = performance.now();
        call(rider, 0);
      }, rider.periodMs);
      if (!rider.ref) rider.own.unref();
    }
    return;
  }
  if (rider.own) {
    clearInterval(rider.own);
    rider.own = undefined;
  } else if (rider.every === every && !retimed) {
    return;
  }
  rider.every = every;
  // The ticks left before the period since the last call runs out; at least the next one.
  const left = (rider.lastAt + rider.periodMs - performance.now()) / periodMs;
  rider.left = Math.max(1, Math.floor(left + 1e-6));
}

/** Starts, stops or re-times the timer after a change of riders or windows. */
function retime(): void {
  const wanted = wantedPeriod();
  const retimed = wanted !== periodMs;
  if (retimed) {
    const now = performance.now();
    // The tick this cancels may be overdue (a block just ended): its lateness still counts.
    if (timer && now - lastTickAt > periodMs) recordLateness(now - lastTickAt - periodMs);
    clearInterval(timer);
    timer = undefined;
    periodMs = wanted;
    if (wanted > 0) {
      lastTickAt = now;
      timer = setInterval(tick, wanted);
    }
  }
  for (const rider of riders) assign(rider, retimed);
  if (!timer) return;
  const ref = [...riders].some((rider) => rider.ref && !rider.own);
  if (ref) timer.ref();
  else timer.unref();
}

function checkedPeriod(ms: number): number {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms <= 0) {
    throw new TypeError(`pulse: a period must be a number of ms above 0, got ${String(ms)}`);
  }
  return ms;
}

/**
 * Rides the pulse every `periodMs`, the first call one period from now (on the pulse's ticks,
 * up to a tick sooner; never later but for the timer's own jitter). With `ref`, it keeps the
 * process alive while the ride lasts.
 */
export function ride(
  periodMs: number,
  onPulse: (lateMs: number) => void,
  options: { ref?: boolean } = {},
): Ride {
  const rider: Rider = {
    periodMs: checkedPeriod(periodMs),
    every: 0,
    left: 0,
    lastAt: performance.now(),
    ref: options.ref ?? false,
    onPulse,
    own: undefined,
  };
  riders.add(rider);
  retime();
  return {
    setPeriod(next) {
      checkedPeriod(next);
      if (!riders.has(rider) || next === rider.periodMs) return;
      rider.periodMs = next;
      rider.lastAt = performance.now();
      // A countdown or an own timer at the old period is void: the assignment starts afresh.
      clearInterval(rider.own);
      rider.own = undefined;
      rider.every = 0;
      retime();
    },
    stop() {
      if (!riders.delete(rider)) return;
      clearInterval(rider.own);
      rider.own = undefined;
      retime();
    },
  };
}

/** Opens a lag window: each tick's lateness is recorded into it until it is closed. */
export function openLagWindow(): RecordableHistogram {
  const window = createHistogram();
  windows.add(window);
  retime();
  return window;
}

export function closeLagWindow(window: RecordableHistogram): void {
  if (windows.delete(window)) retime();
}

/** How many timers the pulse runs (0 or 1), for tests and diagnostics. */
export function pulseTimersRunning(): number {
  return timer ? 1 : 0;
}

/** The pulse's period now, 0 when it does not run. */
export function pulsePeriodMs(): number {
  return periodMs;
}

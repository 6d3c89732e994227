/**
 * Injected time. The ladder, backoff and detectors take a Clock so that unit tests drive them
 * with a FakeClock (`@vigil/shared/testing`) in milliseconds instead of sleeping.
 */

export interface TimerHandle {
  /** Opaque; only for passing back to clearTimeout. */
  readonly id: number;
}

export interface Clock {
  /**
   * Monotonic milliseconds: for deadlines and durations (immune to wall-clock steps). The system
   * clock's is the host's CLOCK_MONOTONIC, the same in every process, so the agent can stamp its
   * heartbeats with it and the watchdog knows each beat's true age however late it reads it.
   */
  now(): number;
  /** Wall-clock epoch milliseconds: for timestamps shown to people and written to files. */
  wallNow(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  /**
   * `fn` every `ms` (at most MAX_TIMER_MS) until cleared with clearTimeout. One timer for good,
   * for a fixed pace such as the resource sampler's: a timeout armed again on each tick builds a
   * new Node timer every time. After the process was stopped it fires once, then keeps the pace
   * from there (no burst to catch up).
   */
  setInterval(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle | undefined): void;
}

let nextSystemTimerId = 1;

/** The longest delay a Node timer takes as it is: 2^31-1 ms, about 24.8 days. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A setInterval period in range, or a RangeError: Node would take a longer one as 1 ms. */
export function intervalPeriod(ms: number): number {
  if (!(ms <= MAX_TIMER_MS))
    throw new RangeError(`an interval of ${ms} ms is longer than a timer takes (${MAX_TIMER_MS} ms)`);
  return Math.max(1, ms);
}

/** The host's CLOCK_MONOTONIC in ms: the same clock in every process on the machine. */
export function hostMonotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

export function createSystemClock(): Clock {
  const timers = new Map<number, NodeJS.Timeout>();
  return {
    now: hostMonotonicMs,
    wallNow: () => Date.now(),
    setTimeout(fn, ms) {
      const id = nextSystemTimerId++;
      // Node clamps a delay over 2^31-1 ms to 1 ms (with a warning): longer waits are chained.
      const deadline = hostMonotonicMs() + Math.max(0, ms);
      const arm = (delay: number) => {
        const timer = setTimeout(
          () => {
            const left = deadline - hostMonotonicMs();
            if (left > 0.5) return arm(left);
            timers.delete(id);
            fn();
          },
          Math.min(MAX_TIMER_MS, Math.max(0, delay)),
        );
        timers.set(id, timer);
      };
      arm(ms);
      return { id };
    },
    setInterval(fn, ms) {
      const id = nextSystemTimerId++;
      timers.set(id, setInterval(fn, intervalPeriod(ms)));
      return { id };
    },
    clearTimeout(handle) {
      if (!handle) return;
      const timer = timers.get(handle.id);
      if (timer) clearTimeout(timer);
      timers.delete(handle.id);
    },
  };
}

export const systemClock: Clock = createSystemClock();

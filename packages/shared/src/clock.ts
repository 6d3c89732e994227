/**
 * Injected time. The ladder, backoff and detectors take a Clock so that unit tests drive them
 * with a FakeClock in milliseconds instead of sleeping.
 */

export interface TimerHandle {
  /** Opaque; only for passing back to clearTimeout. */
  readonly id: number;
}

export interface Clock {
  /** Monotonic milliseconds: for deadlines and durations (immune to wall-clock steps). */
  now(): number;
  /** Wall-clock epoch milliseconds: for timestamps shown to people and written to files. */
  wallNow(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle | undefined): void;
}

let nextSystemTimerId = 1;

/** The longest delay a Node timer takes as it is: 2^31-1 ms, about 24.8 days. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

export function createSystemClock(): Clock {
  const timers = new Map<number, NodeJS.Timeout>();
  return {
    now: () => performance.now(),
    wallNow: () => Date.now(),
    setTimeout(fn, ms) {
      const id = nextSystemTimerId++;
      // Node clamps a delay over 2^31-1 ms to 1 ms (with a warning): longer waits are chained.
      const deadline = performance.now() + Math.max(0, ms);
      const arm = (delay: number) => {
        const timer = setTimeout(
          () => {
            const left = deadline - performance.now();
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
    clearTimeout(handle) {
      if (!handle) return;
      const timer = timers.get(handle.id);
      if (timer) clearTimeout(timer);
      timers.delete(handle.id);
    },
  };
}

export const systemClock: Clock = createSystemClock();

interface FakeTimer {
  id: number;
  at: number;
  seq: number;
  fn: () => void;
}

/** A Clock for tests: time moves only when `advance` or `runNext` is called. */
export class FakeClock implements Clock {
  #now: number;
  #wallOffset: number;
  #timers: FakeTimer[] = [];
  #nextId = 1;
  #seq = 0;

  constructor(start = 0, wallStart = Date.UTC(2026, 0, 1)) {
    this.#now = start;
    this.#wallOffset = wallStart - start;
  }

  now(): number {
    return this.#now;
  }

  wallNow(): number {
    return this.#now + this.#wallOffset;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer = { id: this.#nextId++, at: this.#now + Math.max(0, ms), seq: this.#seq++, fn };
    this.#timers.push(timer);
    return { id: timer.id };
  }

  clearTimeout(handle: TimerHandle | undefined): void {
    if (!handle) return;
    this.#timers = this.#timers.filter((t) => t.id !== handle.id);
  }

  /** Pending timers, for assertions. */
  get pending(): number {
    return this.#timers.length;
  }

  /** Moves time forward by `ms`, firing every timer that falls due, in order. */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      const due = this.#earliest();
      if (!due || due.at > target) break;
      this.#fire(due);
    }
    this.#now = target;
  }

  /**
   * Moves time forward by `ms` as a stopped process sees it (SIGSTOP, a VM freeze): nothing runs
   * meanwhile, then every timer that fell due fires late, at the new time.
   */
  jump(ms: number): void {
    this.#now += ms;
    for (;;) {
      const due = this.#earliest();
      if (!due || due.at > this.#now) break;
      this.#fire(due);
    }
  }

  /** Steps the wall clock (an NTP step, an operator's `date -s`); monotonic time is untouched. */
  stepWall(ms: number): void {
    this.#wallOffset += ms;
  }

  /** Jumps to the next timer and fires it; returns false when none is pending. */
  runNext(): boolean {
    const due = this.#earliest();
    if (!due) return false;
    this.#fire(due);
    return true;
  }

  #earliest(): FakeTimer | undefined {
    let best: FakeTimer | undefined;
    for (const t of this.#timers) {
      if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    }
    return best;
  }

  #fire(timer: FakeTimer): void {
    this.#timers = this.#timers.filter((t) => t !== timer);
    this.#now = Math.max(this.#now, timer.at);
    timer.fn();
  }
}

/** A Clock for tests: time moves only when `advance`, `jump` or `runNext` is called. */
import { type Clock, intervalPeriod, type TimerHandle } from '../clock.js';

interface FakeTimer {
  id: number;
  at: number;
  seq: number;
  fn: () => void;
  /** An interval's period: fired again this long after each firing. */
  every?: number;
}

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

  setInterval(fn: () => void, ms: number): TimerHandle {
    const every = intervalPeriod(ms);
    const timer = { id: this.#nextId++, at: this.#now + every, seq: this.#seq++, fn, every };
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
    // As Node's: the next firing is a period after this one ran, so one late firing (a jump)
    // is not followed by a burst of the ones missed.
    if (timer.every !== undefined)
      this.#timers.push({ ...timer, at: this.#now + timer.every, seq: this.#seq++ });
    timer.fn();
  }
}

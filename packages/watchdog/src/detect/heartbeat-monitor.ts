/**
 * Heartbeat lost: no heartbeat within the timeout. Under host pressure the deadline stretches
 * (up to `maxStretch` times) as long as the agent looks starved rather than stuck; a stopped
 * process (SIGSTOP) is reported as such as soon as half the timeout has passed.
 *
 * The watchdog never blames the agent for its own pause (SIGSTOP, a VM freeze, a starved loop):
 * when its own timer fires much later than it was due, it did not watch that stretch of time,
 * so the agent gets a fresh deadline from now. And a look is judged only after the loop has read
 * what queued on the socket meanwhile (libuv runs timers before I/O), so beats the agent sent
 * while the watchdog was paused count.
 */
import type { Clock, TimerHandle } from '@vigil/shared';
import { readProcStat, readSchedStat, type SchedStat } from '../process/proc-stat.js';
import type { EmitDetectorEvent } from './detector-event.js';
import {
  judgeStarvation,
  type PressureReading,
  readPressure,
  type StarvationVerdict,
} from './host-pressure.js';

export interface HeartbeatMonitorOptions {
  clock: Clock;
  timeoutMs: number;
  pressureEnabled: boolean;
  maxStretch: number;
  emit: EmitDetectorEvent;
  /** Seams for tests; default to /proc. */
  readState?(pid: number): string | null;
  readSched?(pid: number): SchedStat | null;
  readPressure?(): PressureReading;
  checkEveryMs?: number;
  /** Called at every look, before it reads: other work may share the wakeup. */
  onLook?(): void;
  /** Told when the watchdog's own timer fired `lateMs` late: it was paused or starved. */
  onOwnGap?(lateMs: number): void;
  /** Runs a look after pending I/O; default setImmediate (tests pass a synchronous one). */
  defer?(fn: () => void): void;
  /** The agent's beats are expected this often: the first look waits for the next one. */
  intervalMs?: number;
  /**
   * Deadline-driven reading: the session's socket is read only when a look is due. `flow`
   * reads what queued (the look is judged after it; at once when it returns true, since all of
   * it was handled, else after the loop's next I/O), `hold` stops reading until the next look,
   * and is called only while `mayHold()` (no command is waiting for an answer).
   */
  flow?(): boolean;
  hold?(): void;
  mayHold?(): boolean;
}

/** A timer this late means the watchdog itself stood still; the agent is not judged on it. */
export function ownGapThresholdMs(timeoutMs: number): number {
  return Math.max(500, timeoutMs / 2);
}

export class HeartbeatMonitor {
  readonly #o: HeartbeatMonitorOptions;
  #pid: number | null = null;
  #lastBeat = 0;
  /** Scheduler stats when the beat first became overdue: the window starvation is judged on. */
  #schedAtOverdue: { at: number; sched: SchedStat | null } | null = null;
  #lost: 'heartbeat-lost' | 'process-stopped' | null = null;
  #timer: TimerHandle | undefined;
  #dueAt = 0;
  #stretchNoted = false;
  /** Gaps of the watchdog's own (a late timer), for status and logs. */
  ownGaps = 0;
  /** The longest gap between two heartbeats seen, ms (for status and the load benchmark). */
  worstGapMs = 0;
  lastVerdict: StarvationVerdict | null = null;

  constructor(options: HeartbeatMonitorOptions) {
    this.#o = options;
  }

  /** Starts watching `pid`, counting from now (a fresh session or an adopted agent). */
  arm(pid: number): void {
    this.#pid = pid;
    this.#lastBeat = this.#o.clock.now();
    this.#schedAtOverdue = null;
    this.#lost = null;
    this.#schedule(this.#o.timeoutMs / 2);
  }

  disarm(): void {
    this.#pid = null;
    this.#lost = null;
    this.#o.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  get armed(): boolean {
    return this.#pid !== null;
  }

  get lost(): boolean {
    return this.#lost !== null;
  }

  /** Monotonic time of the last heartbeat (or of arming). */
  get lastBeatAt(): number {
    return this.#lastBeat;
  }

  /**
   * Cheap on purpose (several times a second): a timestamp; the timer is not touched. `sentAt` is
   * the agent's own stamp (the host's monotonic clock), so a beat read late still has its age.
   */
  beat(sentAt?: number): void {
    if (this.#pid === null) return;
    const now = this.#o.clock.now();
    // A stamp from another clock (an older agent) or from the future is not believed: arrival is.
    const at =
      sentAt !== undefined && sentAt <= now + 50 && sentAt >= now - this.#o.timeoutMs * this.#o.maxStretch * 2
        ? sentAt
        : now;
    if (at <= this.#lastBeat) return;
    this.worstGapMs = Math.max(this.worstGapMs, at - this.#lastBeat);
    this.#lastBeat = at;
    if (this.#lost) {
      const kind = this.#lost;
      this.#lost = null;
      this.#schedAtOverdue = null;
      this.#stretchNoted = false;
      this.#schedule(this.#o.timeoutMs / 2);
      this.#o.emit({ type: 'cleared', kind });
    }
  }

  #readSched(pid: number): SchedStat | null {
    return (this.#o.readSched ?? readSchedStat)(pid);
  }

  /**
   * The timer sleeps until the earliest moment something could be wrong (half the timeout after
   * the last beat), so a healthy agent costs no wakeups beyond that; then it looks closely.
   */
  #schedule(inMs: number): void {
    this.#o.clock.clearTimeout(this.#timer);
    const delay = Math.max(1, inMs);
    this.#dueAt = this.#o.clock.now() + delay;
    this.#timer = this.#o.clock.setTimeout(() => {
      this.#timer = undefined;
      this.#look();
    }, delay);
  }

  /**
   * A look now instead of on its own timer, when one is due within `withinMs`: another timer of
   * the watchdog (the resource sampler's) has woken it anyway, and a look on that wakeup costs
   * none of its own. Looks only come earlier this way, never later, and one after the
   * watchdog's own pause is judged as on its own timer (the agent is not blamed for it).
   */
  lookIfDueWithin(withinMs: number): void {
    if (this.#pid === null || this.#lost || this.#timer === undefined) return;
    if (this.#dueAt - this.#o.clock.now() > withinMs) return;
    this.#o.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#look();
  }

  #look(): void {
    const late = this.#o.clock.now() - this.#dueAt;
    if (this.#pid !== null && !this.#lost && late > ownGapThresholdMs(this.#o.timeoutMs)) {
      this.ownGaps++;
      this.#lastBeat = this.#o.clock.now();
      this.#schedAtOverdue = null;
      this.#o.onOwnGap?.(Math.round(late));
    }
    this.#o.onLook?.();
    // What queued on the socket is read first: the look is judged after it — at once when the
    // read took all of it (no extra turn of the loop), else once the loop has read it.
    if (this.#o.flow?.()) this.#judge();
    else (this.#o.defer ?? setImmediate)(() => this.#judge());
  }

  #judge(): void {
    if (this.#pid === null || this.#lost || this.#timer !== undefined) return;
    const next = this.check();
    if (this.#pid !== null && !this.#lost) this.#schedule(next);
    // A fresh beat: nothing to watch closely until the next look, so the socket rests.
    if (
      this.#pid !== null &&
      !this.#lost &&
      this.age() < this.#firstLookAfter() &&
      (this.#o.mayHold?.() ?? false)
    ) {
      this.#o.hold?.();
    }
  }

  /** How old the newest beat is now. */
  age(): number {
    return this.#o.clock.now() - this.#lastBeat;
  }

  /**
   * When the next look is worth it after a fresh beat: half the timeout, or — when beats come
   * less often than that — just after the next one is due, so a slow interval costs one look a
   * beat, not three; never later than leaves room to look closely before the timeout.
   */
  #firstLookAfter(): number {
    const half = this.#o.timeoutMs / 2;
    const interval = this.#o.intervalMs ?? 0;
    const closely = this.#o.checkEveryMs ?? 100;
    return Math.min(this.#o.timeoutMs - closely, Math.max(half, interval * 1.1));
  }

  /**
   * When to look after a fresh beat, counted from it: just after the beat that is due at or past
   * `#firstLookAfter` should have come in (a little slack for the agent's timer and the socket),
   * so the look reads a beat only moments old and the next one is a whole `#firstLookAfter`
   * away — not a look just before a beat arrives, which would have to look again an interval
   * later. Never later than leaves room to look closely before the timeout.
   */
  #lookAfter(): number {
    const first = this.#firstLookAfter();
    const interval = this.#o.intervalMs ?? 0;
    if (interval <= 0) return first;
    const closely = this.#o.checkEveryMs ?? 100;
    const slack = Math.min(50, interval / 5);
    const aligned = Math.ceil(first / interval) * interval + slack;
    return Math.max(first, Math.min(this.#o.timeoutMs - closely, aligned));
  }

  /** One look at the deadline; returns how long until the next look is worth it. */
  check(): number {
    const pid = this.#pid;
    const half = this.#o.timeoutMs / 2;
    const closely = this.#o.checkEveryMs ?? 100;
    if (pid === null || this.#lost) return half;
    const age = this.age();
    const first = this.#firstLookAfter();
    if (age < first) {
      this.#schedAtOverdue = null;
      return this.#lookAfter() - age;
    }
    const state = (this.#o.readState ?? ((p: number) => readProcStat(p)?.state ?? null))(pid);
    if (state === 'T' || state === 't') {
      this.#lost = 'process-stopped';
      this.#o.emit({
        type: 'signal',
        kind: 'process-stopped',
        detail: `process ${pid} is stopped (state ${state}), no heartbeat for ${Math.round(age)} ms`,
      });
      return half;
    }
    // From half the timeout on, the scheduler's view of the agent is sampled to judge starvation.
    this.#schedAtOverdue ??= { at: this.#o.clock.now(), sched: this.#readSched(pid) };
    if (age < this.#o.timeoutMs) return Math.min(closely, this.#o.timeoutMs - age);
    if (this.#o.pressureEnabled && age < this.#o.timeoutMs * this.#o.maxStretch) {
      const verdict = judgeStarvation({
        before: this.#schedAtOverdue.sched,
        after: this.#readSched(pid),
        elapsedMs: Math.max(1, this.#o.clock.now() - this.#schedAtOverdue.at),
        state,
        pressure: (this.#o.readPressure ?? readPressure)(),
      });
      this.lastVerdict = verdict;
      if (verdict.starving) {
        this.#stretchNoted = true;
        return closely;
      }
    }
    this.#lost = 'heartbeat-lost';
    const stretched = this.#stretchNoted ? ' (deadline was stretched for host pressure)' : '';
    const why = this.lastVerdict && !this.lastVerdict.starving ? `; ${this.lastVerdict.reason}` : '';
    this.#o.emit({
      type: 'signal',
      kind: 'heartbeat-lost',
      detail: `no heartbeat for ${Math.round(age)} ms${stretched}${why}`,
    });
    return half;
  }
}

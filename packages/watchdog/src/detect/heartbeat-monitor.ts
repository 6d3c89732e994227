/**
 * Heartbeat lost: no heartbeat within the timeout. Under host pressure the deadline stretches
 * (up to `maxStretch` times) as long as the agent looks starved rather than stuck; a stopped
 * process (SIGSTOP) is reported as such as soon as half the timeout has passed.
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
}

export class HeartbeatMonitor {
  readonly #o: HeartbeatMonitorOptions;
  #pid: number | null = null;
  #lastBeat = 0;
  #schedAtBeat: SchedStat | null = null;
  #lost: 'heartbeat-lost' | 'process-stopped' | null = null;
  #timer: TimerHandle | undefined;
  #stretchNoted = false;
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
    this.#schedAtBeat = this.#readSched(pid);
    this.#lost = null;
    this.#schedule();
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

  beat(): void {
    if (this.#pid === null) return;
    const now = this.#o.clock.now();
    this.worstGapMs = Math.max(this.worstGapMs, now - this.#lastBeat);
    this.#lastBeat = now;
    this.#schedAtBeat = this.#readSched(this.#pid);
    this.#stretchNoted = false;
    if (this.#lost) {
      const kind = this.#lost;
      this.#lost = null;
      this.#o.emit({ type: 'cleared', kind });
    }
  }

  #readSched(pid: number): SchedStat | null {
    return (this.#o.readSched ?? readSchedStat)(pid);
  }

  #schedule(): void {
    this.#o.clock.clearTimeout(this.#timer);
    this.#timer = this.#o.clock.setTimeout(() => {
      this.check();
      if (this.#pid !== null) this.#schedule();
    }, this.#o.checkEveryMs ?? 100);
  }

  /** One look at the deadline (also called by the timer). */
  check(): void {
    const pid = this.#pid;
    if (pid === null || this.#lost) return;
    const age = this.#o.clock.now() - this.#lastBeat;
    if (age < this.#o.timeoutMs / 2) return;
    const state = (this.#o.readState ?? ((p: number) => readProcStat(p)?.state ?? null))(pid);
    if (state === 'T' || state === 't') {
      this.#lost = 'process-stopped';
      this.#o.emit({
        type: 'signal',
        kind: 'process-stopped',
        detail: `process ${pid} is stopped (state ${state}), no heartbeat for ${Math.round(age)} ms`,
      });
      return;
    }
    if (age < this.#o.timeoutMs) return;
    if (this.#o.pressureEnabled && age < this.#o.timeoutMs * this.#o.maxStretch) {
      const verdict = judgeStarvation({
        before: this.#schedAtBeat,
        after: this.#readSched(pid),
        elapsedMs: age,
        state,
        pressure: (this.#o.readPressure ?? readPressure)(),
      });
      this.lastVerdict = verdict;
      if (verdict.starving) {
        this.#stretchNoted = true;
        return;
      }
    }
    this.#lost = 'heartbeat-lost';
    const stretched = this.#stretchNoted ? ' (deadline was stretched for host pressure)' : '';
    this.#o.emit({
      type: 'signal',
      kind: 'heartbeat-lost',
      detail: `no heartbeat for ${Math.round(age)} ms${stretched}${this.lastVerdict && !this.lastVerdict.starving ? `; ${this.lastVerdict.reason}` : ''}`,
    });
  }
}

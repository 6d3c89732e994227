/**
 * Keeps one chatty cause from filling the disk through the log: more than `max` records with
 * the same message within `windowMs` are suppressed, and one record "suppressed N similar
 * lines: <msg>" is written when that window ends (or when the message comes again after it).
 * Errors and fatal records are never suppressed. Installed as pino's `hooks.logMethod`, so it
 * holds for every call site and child logger, and a suppressed record costs no serialisation.
 */
import type { LogFn, Logger } from 'pino';
import type { Clock, TimerHandle } from '../clock.js';

export interface RepeatLimit {
  /** Records with one message allowed per window. */
  max: number;
  windowMs: number;
}

export const DEFAULT_REPEAT_LIMIT: RepeatLimit = { max: 5, windowMs: 10_000 };

/** A window that ended with records suppressed. */
export interface SuppressedRun {
  key: string;
  suppressed: number;
}

interface Window {
  endsAt: number;
  count: number;
  suppressed: number;
}

const ERROR_LEVEL = 50;
/** Distinct messages tracked at once; past it the oldest windows are closed early. */
const MAX_KEYS = 1000;

/** The counting alone, with time passed in: what the pino hook and the tests drive. */
export class RepeatCounter {
  readonly #limit: RepeatLimit;
  readonly #windows = new Map<string, Window>();

  constructor(limit: RepeatLimit) {
    this.#limit = limit;
  }

  /**
   * Whether a record with this message may be written now, and the summaries of windows that
   * closed on the way (its own previous one, or the oldest when too many are open): write
   * those first.
   */
  admit(key: string, level: number, now: number): { write: boolean; ended: SuppressedRun[] } {
    const ended: SuppressedRun[] = [];
    if (level >= ERROR_LEVEL) return { write: true, ended };
    let window = this.#windows.get(key);
    if (window && now >= window.endsAt) {
      this.#close(key, window, ended);
      window = undefined;
    }
    if (!window) {
      if (this.#windows.size >= MAX_KEYS) {
        const [oldestKey, oldest] = this.#windows.entries().next().value as [string, Window];
        this.#close(oldestKey, oldest, ended);
      }
      this.#windows.set(key, { endsAt: now + this.#limit.windowMs, count: 1, suppressed: 0 });
      return { write: true, ended };
    }
    if (window.count < this.#limit.max) {
      window.count++;
      return { write: true, ended };
    }
    window.suppressed++;
    return { write: false, ended };
  }

  #close(key: string, window: Window, ended: SuppressedRun[]): void {
    this.#windows.delete(key);
    if (window.suppressed > 0) ended.push({ key, suppressed: window.suppressed });
  }

  /** Closes every window that has ended; returns those that suppressed something. */
  expire(now: number): SuppressedRun[] {
    const ended: SuppressedRun[] = [];
    for (const [key, window] of this.#windows) if (now >= window.endsAt) this.#close(key, window, ended);
    return ended;
  }

  /** When the earliest window with suppressed records ends; null when none has any. */
  nextEnd(): number | null {
    let next: number | null = null;
    for (const window of this.#windows.values()) {
      if (window.suppressed > 0 && (next === null || window.endsAt < next)) next = window.endsAt;
    }
    return next;
  }
}

export function summaryMessage(run: SuppressedRun): string {
  return `suppressed ${run.suppressed} similar line${run.suppressed === 1 ? '' : 's'}: ${run.key}`;
}

/** The message of a pino call: `log.info('msg')` or `log.info({ ... }, 'msg')`. */
function messageOf(args: readonly unknown[]): string | undefined {
  const [first, second] = args;
  if (typeof first === 'string') return first;
  if (typeof second === 'string') return second;
  if (first instanceof Error) return first.message;
  return undefined;
}

type Hook = (this: Logger, args: Parameters<LogFn>, method: LogFn, level: number) => void;

/** Timers that do not keep the process alive: a pending summary never delays an exit. */
const unrefClock: Pick<Clock, 'now' | 'setTimeout' | 'clearTimeout'> = (() => {
  const timers = new Map<number, NodeJS.Timeout>();
  let nextId = 1;
  return {
    now: () => performance.now(),
    setTimeout(fn, ms) {
      const id = nextId++;
      const timer = setTimeout(() => {
        timers.delete(id);
        fn();
      }, ms);
      timer.unref();
      timers.set(id, timer);
      return { id };
    },
    clearTimeout(handle) {
      if (!handle) return;
      clearTimeout(timers.get(handle.id));
      timers.delete(handle.id);
    },
  };
})();

/** pino's `hooks.logMethod` applying `limit`; `clock` is injected by tests. */
export function repeatLimitHook(
  limit: RepeatLimit,
  clock: Pick<Clock, 'now' | 'setTimeout' | 'clearTimeout'> = unrefClock,
): Hook {
  const counter = new RepeatCounter(limit);
  /** Where each suppressed message's summary is written: the logger and method last used. */
  const writers = new Map<string, { logger: Logger; method: LogFn }>();
  let timer: TimerHandle | undefined;
  let timerAt: number | null = null;

  const writeSummary = (run: SuppressedRun) => {
    const writer = writers.get(run.key);
    writers.delete(run.key);
    writer?.method.call(
      writer.logger,
      { suppressed: run.suppressed, windowMs: limit.windowMs },
      summaryMessage(run),
    );
  };
  const arm = () => {
    const next = counter.nextEnd();
    if (next === null || (timerAt !== null && timerAt <= next)) return;
    clock.clearTimeout(timer);
    timerAt = next;
    timer = clock.setTimeout(
      () => {
        timer = undefined;
        timerAt = null;
        for (const run of counter.expire(clock.now())) writeSummary(run);
        arm();
      },
      Math.max(0, next - clock.now()),
    );
  };

  return function logMethod(this: Logger, args, method, level) {
    const key = messageOf(args);
    if (key === undefined) return method.apply(this, args);
    const { write, ended } = counter.admit(key, level, clock.now());
    for (const run of ended) writeSummary(run);
    if (write) return method.apply(this, args);
    writers.set(key, { logger: this, method });
    arm();
  };
}

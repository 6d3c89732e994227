/**
 * Followed lines from two files arrive in two streams; lines that arrive close together are
 * held for a short window and let out in time order, so a watchdog line and the agent line it
 * reacted to print in the order they happened.
 */
import type { LogRecord, Unit } from './log-record.js';
import { mergeByTime } from './merge.js';

export const REORDER_WINDOW_MS = 100;

export class ReorderWindow {
  readonly #emit: (records: LogRecord[]) => void;
  readonly #windowMs: number;
  #held: LogRecord[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(emit: (records: LogRecord[]) => void, windowMs = REORDER_WINDOW_MS) {
    this.#emit = emit;
    this.#windowMs = windowMs;
  }

  push(record: LogRecord): void {
    this.#held.push(record);
    this.#timer ??= setTimeout(() => this.flush(), this.#windowMs);
  }

  /**
   * Lets out everything held, in time order between files; one file keeps its own order (a raw
   * line read while following is stamped when read, later than a logged line written after it).
   */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#held.length === 0) return;
    const byFile = new Map<Unit, LogRecord[]>();
    for (const record of this.#held) {
      const list = byFile.get(record.unit);
      if (list) list.push(record);
      else byFile.set(record.unit, [record]);
    }
    this.#held = [];
    this.#emit(mergeByTime([...byFile.values()]));
  }
}

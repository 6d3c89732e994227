/**
 * Followed lines from two files arrive in two streams; lines that arrive close together are
 * held for a short window and let out in time order, so a watchdog line and the agent line it
 * reacted to print in the order they happened.
 */
import type { LogRecord } from './log-record.js';

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

  /** Lets out everything held, in time order (the sort is stable: one file keeps its order). */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#held.length === 0) return;
    const records = this.#held.sort((a, b) => a.time - b.time);
    this.#held = [];
    this.#emit(records);
  }
}

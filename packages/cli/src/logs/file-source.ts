/**
 * Embedded mode: `$VIGIL_HOME/log/watchdog.log` and `agent.log`, each read backwards for its
 * tail, merged by time, then followed from exactly where the tail stopped (same open file, so
 * nothing written in between is lost or shown twice). A raw line in the tail takes the time of
 * the logged line before it (read-tail.ts); one that arrives while following, the time it was read.
 */
import { type FileHandle, open } from 'node:fs/promises';
import { type LogQuery, matches } from './filters.js';
import { FileFollower } from './follow-file.js';
import { followedRecord, type LogRecord, type Unit } from './log-record.js';
import type { FollowHandlers, LogSource } from './log-source.js';
import { lastOf, mergeByTime } from './merge.js';
import { completeLinesEnd } from './read-backward.js';
import { tailRecords } from './read-tail.js';
import { ReorderWindow } from './reorder-window.js';

export interface LogFile {
  unit: Unit;
  path: string;
}

interface Opened {
  handle: FileHandle;
  end: number;
}

export class FileLogSource implements LogSource {
  readonly #files: readonly LogFile[];
  readonly #query: LogQuery;
  readonly #follow: boolean;
  readonly #opened = new Map<Unit, Opened>();
  readonly #followers: FileFollower[] = [];
  #window: ReorderWindow | undefined;

  constructor(files: readonly LogFile[], query: LogQuery, options: { follow: boolean }) {
    this.#files = files.filter((file) => query.units.includes(file.unit));
    this.#query = query;
    this.#follow = options.follow;
  }

  async tail(): Promise<LogRecord[] | null> {
    const tails = await Promise.all(this.#files.map((file) => this.#tailOne(file)));
    const found = tails.filter((records): records is LogRecord[] => records !== null);
    if (found.length === 0) return null;
    return lastOf(mergeByTime(found), this.#query.count);
  }

  async #tailOne(file: LogFile): Promise<LogRecord[] | null> {
    let handle: FileHandle;
    try {
      handle = await open(file.path, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    try {
      const info = await handle.stat();
      // When following, an unfinished last line is left for the follower to print once whole.
      const end = this.#follow ? await completeLinesEnd(handle, info.size) : info.size;
      const tail = await tailRecords({
        handle,
        end,
        mtimeMs: info.mtimeMs,
        unit: file.unit,
        query: this.#query,
      });
      if (this.#follow) this.#opened.set(file.unit, { handle, end });
      return tail.records;
    } finally {
      if (!this.#follow) await handle.close();
    }
  }

  async follow(handlers: FollowHandlers): Promise<void> {
    const window = new ReorderWindow(handlers.emit);
    this.#window = window;
    for (const file of this.#files) {
      const opened = this.#opened.get(file.unit);
      this.#opened.delete(file.unit); // the follower owns the handle now
      const follower = new FileFollower({
        path: file.path,
        handle: opened?.handle,
        position: opened?.end ?? 0,
        onLine: (line) => {
          const record = followedRecord(line, file.unit, Date.now());
          if (matches(this.#query, record)) window.push(record);
        },
        onError: handlers.warn,
      });
      this.#followers.push(follower);
      await follower.start();
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.#followers.map((follower) => follower.stop()));
    this.#window?.flush();
    await Promise.all([...this.#opened.values()].map(({ handle }) => handle.close()));
    this.#opened.clear();
  }
}

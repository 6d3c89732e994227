/**
 * `state/history.jsonl`: one IncidentEvent per line, appended and fsync'd as it happens (a
 * watchdog killed mid-incident keeps the timeline so far), rotated past `maxBytes` to
 * history.jsonl.1 … .N. The file is opened without following a planted link, and a file whose
 * last line was cut short (a crash or a full disk mid-write) gets its newline before the next
 * line, so that line is never glued onto the torn one. Reading it is @vigil/shared's
 * readHistory, which the CLI uses too.
 */
import {
  closeSync,
  constants,
  fstatSync,
  fsyncSync,
  lstatSync,
  openSync,
  readSync,
  renameSync,
  unlinkSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { ensureDir, type IncidentEvent, type Logger, openAppend, writeAll } from '@vigil/shared';

const { O_RDONLY, O_NOFOLLOW, O_NONBLOCK } = constants;

export interface HistoryFileOptions {
  path: string;
  maxBytes: number;
  keep: number;
  logger?: Logger | undefined;
}

export interface AppendOutcome {
  /** How many of the events, from the first, are in the file. */
  written: number;
  /** Why the rest are not (a full disk, an I/O error); the caller keeps them to write later. */
  error?: Error;
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** The last byte of the file open as `fd` (read through a second, read-only open of `path`). */
function lastByte(path: string, fd: number, size: number): number | null {
  let rd: number;
  try {
    rd = openSync(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    const a = fstatSync(fd);
    const b = fstatSync(rd);
    if (a.dev !== b.dev || a.ino !== b.ino) return null;
    const byte = Buffer.alloc(1);
    return readSync(rd, byte, 0, 1, size - 1) === 1 ? (byte[0] as number) : null;
  } finally {
    closeSync(rd);
  }
}

export class HistoryFile {
  readonly #o: HistoryFileOptions;
  #fd: number | undefined;
  #size = 0;

  constructor(options: HistoryFileOptions) {
    this.#o = options;
  }

  /** Appends one event; throws when it could not be written. */
  append(event: IncidentEvent): void {
    const { error } = this.appendAll([event]);
    if (error) throw error;
  }

  /** Appends the events in order, then one fsync; never throws, says how far it got. */
  appendAll(events: readonly IncidentEvent[]): AppendOutcome {
    if (events.length === 0) return { written: 0 };
    let written = 0;
    try {
      // A file removed under us (or its folder) would swallow the lines: start a new one.
      if (this.#fd !== undefined && fstatSync(this.#fd).nlink === 0) this.close();
      if (this.#fd === undefined) this.#open();
      for (const event of events) {
        const line = `${JSON.stringify(event)}\n`;
        if (this.#size > 0 && this.#size + Buffer.byteLength(line) > this.#o.maxBytes) this.#rotate();
        writeAll(this.#fd as number, line);
        this.#size += Buffer.byteLength(line);
        written++;
      }
      fsyncSync(this.#fd as number);
      return { written };
    } catch (error) {
      // Reopened on the next append, which then mends a line this write may have torn.
      this.close();
      return { written, error: error as Error };
    }
  }

  close(): void {
    const fd = this.#fd;
    this.#fd = undefined;
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        // Closing cannot be retried; the next open starts afresh.
      }
    }
  }

  #open(): void {
    const report = this.#o.logger;
    ensureDir(dirname(this.#o.path), { mode: 0o750, report });
    const fd = openAppend(this.#o.path, { mode: 0o640, report });
    try {
      let size = fstatSync(fd).size;
      // Unknown (a race on the name) counts as torn: an empty line costs nothing to a reader.
      if (size > 0 && lastByte(this.#o.path, fd, size) !== 0x0a) {
        writeAll(fd, '\n');
        size++;
      }
      this.#fd = fd;
      this.#size = size;
    } catch (error) {
      closeSync(fd);
      throw error;
    }
  }

  #rotate(): void {
    this.close();
    const { path, keep } = this.#o;
    // Names are replaced or removed, never followed: rename(2) and unlink(2) act on a link itself.
    if (exists(`${path}.${keep}`)) unlinkSync(`${path}.${keep}`);
    for (let i = keep - 1; i >= 1; i--) {
      if (exists(`${path}.${i}`)) renameSync(`${path}.${i}`, `${path}.${i + 1}`);
    }
    renameSync(path, `${path}.1`);
    this.#open();
  }
}

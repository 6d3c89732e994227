/**
 * `state/history.jsonl`: one IncidentEvent per line, appended and fsync'd as it happens (a
 * watchdog killed mid-incident keeps the timeline so far), rotated past `maxBytes` to
 * history.jsonl.1 … .N. The file is opened without following a planted link, and a file whose
 * last line was cut short (a crash or a full disk mid-write) gets its newline before the next
 * line, so that line is never glued onto the torn one. Reading skips a truncated or corrupt
 * line with a warning and never throws, so a damaged history never stops the watchdog.
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
import {
  compileSchema,
  ensureDir,
  type IncidentEvent,
  IncidentEvent as IncidentEventSchema,
  type Logger,
  openAppend,
  writeAll,
} from '@vigil/shared';

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

let validate: ReturnType<typeof compileSchema<typeof IncidentEventSchema>> | undefined;

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

export interface ReadHistoryResult {
  events: IncidentEvent[];
  skipped: number;
}

/** The last `budget` bytes of a regular file (never a link or a FIFO), and whether that is all of it. */
function readEnd(file: string, budget: number): { text: string; whole: boolean } | null {
  let fd: number;
  try {
    fd = openSync(file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return null;
    const length = Math.min(st.size, budget);
    const buffer = Buffer.alloc(length);
    let read = 0;
    while (read < length) {
      const n = readSync(fd, buffer, read, length - read, st.size - length + read);
      if (n <= 0) break;
      read += n;
    }
    return { text: buffer.subarray(0, read).toString('utf8'), whole: length === st.size };
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/**
 * Events in the history, oldest first, across rotated files: the newest `maxBytes` of them
 * (read from the end of each file, newest file first), or all of them when unbounded.
 */
export function readHistory(
  path: string,
  keep = 10,
  logger?: Logger,
  maxBytes = Number.POSITIVE_INFINITY,
): ReadHistoryResult {
  validate ??= compileSchema(IncidentEventSchema);
  const chunks: IncidentEvent[][] = [];
  let skipped = 0;
  let budget = maxBytes;
  const files = [path, ...Array.from({ length: keep }, (_, i) => `${path}.${i + 1}`)];
  for (const file of files) {
    if (budget <= 0) break;
    const end = readEnd(file, budget);
    if (!end) continue;
    budget -= Buffer.byteLength(end.text);
    const lines = end.text.split('\n');
    // A read that starts mid-file starts mid-line: that first piece is not a whole event.
    if (!end.whole) lines.shift();
    const events: IncidentEvent[] = [];
    lines.forEach((line, index) => {
      if (!line.trim()) return;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        skipped++;
        logger?.warn({ file, line: index + 1 }, 'skipped a corrupt line in the incident history');
        return;
      }
      const parsed = (validate as NonNullable<typeof validate>)(value);
      if (parsed.ok) events.push(parsed.value);
      else {
        skipped++;
        logger?.warn(
          { file, line: index + 1, errors: parsed.errors },
          'skipped an invalid line in the incident history',
        );
      }
    });
    chunks.unshift(events);
  }
  return { events: chunks.flat(), skipped };
}

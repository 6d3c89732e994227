/**
 * The pino destination for a log file the process owns alone (watchdog.log): it never throws.
 * The file is opened as `openAppend` does (no link followed, a planted one moved aside) and
 * each record is one synchronous write of a whole line. A write that fails — a full disk
 * (ENOSPC, EDQUOT), EIO, EFBIG — drops the line and counts it; a short write is cut back with
 * ftruncate, so no torn line stays in the file. The first line that can be written again is
 * preceded by one saying how many were lost and since when. A file that cannot be opened is
 * retried at most once a second. Past `rotate.maxBytes` the file is renamed to `.1` (the older
 * ones shifted, `keep` of them kept) and a new one is opened.
 */
import {
  closeSync,
  constants,
  fstatSync,
  ftruncateSync,
  lstatSync,
  openSync,
  readSync,
  renameSync,
  type Stats,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { ensureDir, openAppend, type PlantedLinkReporter } from '../fs/safe-files.js';
import type { WriteFn } from './fd-destination.js';
import { errorCode, LostLines, recordLine } from './lost-lines.js';
import { rotatedName, shiftRotated } from './rotated-names.js';

export interface LogRotation {
  /** A file is rotated before a line would take it past this size. */
  maxBytes: number;
  /** How many rotated files (`.1` … `.keep`) are kept. */
  keep: number;
}

export interface LogFileDestinationOptions {
  path: string;
  mode?: number;
  /** Mode of the folder when it has to be created. */
  dirMode?: number;
  rotate?: LogRotation | undefined;
  /** Fields of the records the destination writes itself (lost lines, a planted link). */
  base?: Readonly<Record<string, unknown>>;
  write?: WriteFn;
  /** Monotonic milliseconds, for the open retry and the check for a replaced file. */
  now?: () => number;
  wallNow?: () => number;
  /** Told once when the file stops being writable (stderr by default: the log itself is not). */
  onTrouble?: (message: string) => void;
}

const RETRY_OPEN_MS = 1000;
const CHECK_NAME_MS = 1000;
const NEWLINE = 0x0a;

export class LogFileDestination {
  readonly #o: LogFileDestinationOptions;
  readonly #base: Readonly<Record<string, unknown>>;
  readonly #write: WriteFn;
  readonly #now: () => number;
  readonly #wallNow: () => number;
  readonly #lost = new LostLines();
  /** Records to write right after the next successful open (a planted link moved aside). */
  readonly #pending: string[] = [];
  #fd: number | null = null;
  #ino = -1;
  #size = 0;
  /** The file does not end with a newline (a line torn before we opened it): add one first. */
  #needsNewline = false;
  #nextOpenAt = Number.NEGATIVE_INFINITY;
  #nextNameCheckAt = 0;
  #nextRotateAt = Number.NEGATIVE_INFINITY;
  #troubled = false;
  #openFailure = 'the file cannot be opened';

  constructor(options: LogFileDestinationOptions) {
    this.#o = options;
    this.#base = options.base ?? {};
    this.#write = options.write ?? writeSync;
    this.#now = options.now ?? (() => performance.now());
    this.#wallNow = options.wallNow ?? Date.now;
    this.#open();
  }

  /** Lines dropped since the last successful write. */
  get lostLines(): number {
    return this.#lost.count;
  }

  write(line: string): void {
    const now = this.#now();
    if (this.#fd !== null && now >= this.#nextNameCheckAt) this.#reopenIfReplaced(now);
    if (this.#fd === null && !(now >= this.#nextOpenAt && this.#open())) {
      this.#lose(this.#openFailure);
      return;
    }
    const bytes = Buffer.from(line);
    const rotate = this.#o.rotate;
    if (
      rotate &&
      this.#size > 0 &&
      this.#size + bytes.length > rotate.maxBytes &&
      now >= this.#nextRotateAt
    ) {
      this.#rotate(rotate, now);
      if (this.#fd === null) {
        this.#lose(this.#openFailure);
        return;
      }
    }
    if (this.#lost.count > 0) {
      const failed = this.#put(Buffer.from(this.#lost.notice(this.#base, this.#wallNow())));
      if (failed !== null) return this.#lose(failed);
      this.#lost.reset();
      this.#troubled = false;
    }
    const failed = this.#put(bytes);
    if (failed !== null) this.#lose(failed);
  }

  close(): void {
    if (this.#fd !== null) closeQuietly(this.#fd);
    this.#fd = null;
  }

  #lose(reason: string): void {
    this.#lost.lose(reason, this.#wallNow());
    if (this.#troubled) return;
    this.#troubled = true;
    const message = `vigil: cannot write ${this.#o.path} (${reason}); log lines are dropped and counted until it can be written again\n`;
    if (this.#o.onTrouble) this.#o.onTrouble(message);
    else {
      try {
        writeSync(2, message);
      } catch {
        // stderr is gone too: the count in the file says it later.
      }
    }
  }

  /** Writes all of `bytes` or nothing: a partial write is cut back. Null when written. */
  #put(bytes: Buffer): string | null {
    const fd = this.#fd as number;
    if (this.#needsNewline) {
      if (this.#putOnce(fd, Buffer.from('\n')) !== null) return 'cannot finish a torn line';
      this.#needsNewline = false;
    }
    return this.#putOnce(fd, bytes);
  }

  #putOnce(fd: number, bytes: Buffer): string | null {
    let offset = 0;
    let failure: string | null = null;
    try {
      while (offset < bytes.length && failure === null) {
        const n = this.#write(fd, bytes, offset, bytes.length - offset);
        if (n > 0) offset += n;
        else failure = 'short write';
      }
    } catch (error) {
      failure = errorCode(error);
    }
    if (failure === null) {
      this.#size += bytes.length;
      return null;
    }
    if (offset > 0) this.#cutBack(fd, offset);
    return failure;
  }

  /** Removes the `written` bytes of a line that did not get out whole (we are the only writer). */
  #cutBack(fd: number, written: number): void {
    try {
      const size = fstatSync(fd).size;
      ftruncateSync(fd, Math.max(0, size - written));
      this.#size = Math.max(0, size - written);
    } catch {
      this.#needsNewline = true;
    }
  }

  #open(): boolean {
    this.#nextOpenAt = this.#now() + RETRY_OPEN_MS;
    const path = this.#o.path;
    let fd: number;
    try {
      prepareFolder(dirname(path), this.#o.dirMode ?? 0o750);
      fd = openAppend(path, { mode: this.#o.mode ?? 0o640, report: this.#reporter() });
    } catch (error) {
      this.#openFailure = `cannot open: ${errorCode(error)}`;
      return false;
    }
    let st: Stats;
    try {
      st = fstatSync(fd);
    } catch (error) {
      closeQuietly(fd);
      this.#openFailure = `cannot open: ${errorCode(error)}`;
      return false;
    }
    this.#fd = fd;
    this.#ino = st.ino;
    this.#size = st.size;
    this.#needsNewline = st.size > 0 && lastByte(path, st.ino, st.size) !== NEWLINE;
    this.#nextNameCheckAt = this.#now() + CHECK_NAME_MS;
    for (const record of this.#pending.splice(0)) {
      if (this.#put(Buffer.from(record)) !== null) this.#lost.lose('write failed', this.#wallNow());
    }
    return true;
  }

  #reporter(): PlantedLinkReporter {
    return {
      warn: (fields, message) =>
        this.#pending.push(recordLine(this.#base, 40, message, fields, this.#wallNow())),
    };
  }

  /** Someone renamed or removed the file (an operator, logrotate): write to the name again. */
  #reopenIfReplaced(now: number): void {
    this.#nextNameCheckAt = now + CHECK_NAME_MS;
    let replaced: boolean;
    try {
      replaced = fstatSync(this.#fd as number).nlink === 0 || lstatSync(this.#o.path).ino !== this.#ino;
    } catch {
      replaced = true;
    }
    if (!replaced) return;
    this.close();
    this.#open();
  }

  #rotate(rotate: LogRotation, now: number): void {
    try {
      shiftRotated(this.#o.path, rotate.keep);
      renameSync(this.#o.path, rotatedName(this.#o.path, 1));
    } catch (error) {
      // Keep writing to the current file; try again in a while rather than on every line.
      this.#nextRotateAt = now + RETRY_OPEN_MS;
      const why = { path: this.#o.path, reason: errorCode(error) };
      this.#put(Buffer.from(recordLine(this.#base, 40, 'cannot rotate the log file', why, this.#wallNow())));
      return;
    }
    this.close();
    this.#open();
  }
}

/** Creates a missing log folder (lstat-checked); an existing one must be a real folder, not a link. */
function prepareFolder(dir: string, mode: number): void {
  let isDirectory: boolean;
  try {
    const st = lstatSync(dir);
    isDirectory = st.isDirectory();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    ensureDir(dir, { mode });
    return;
  }
  if (!isDirectory) {
    const error = new Error(`${dir} is not a folder (a link is never followed)`) as NodeJS.ErrnoException;
    error.code = 'ENOTDIR';
    throw error;
  }
}

/** The file's last byte, read through a second descriptor (the append one is write-only). */
function lastByte(path: string, ino: number, size: number): number | null {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    if (fstatSync(fd).ino !== ino) return null;
    const buffer = Buffer.alloc(1);
    return readSync(fd, buffer, 0, 1, size - 1) === 1 ? (buffer[0] as number) : null;
  } catch {
    return null;
  } finally {
    closeQuietly(fd);
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Already closed.
  }
}

/**
 * /proc files read on the sampler's hot path: opened once and read with a positional read from
 * offset 0 into one shared buffer (a single pread(2) a sample, where readFileSync costs an open,
 * a stat, two reads and a close, and a fresh string each time).
 *
 * A descriptor of a /proc/PID file keeps naming that very process: once it exits, a read of
 * its `stat` fails with ESRCH (a `children` file reads empty) and never shows a later process
 * that got the same pid. So a held `stat` descriptor is the process's identity as much as its
 * pid and start time are.
 *
 * That is stronger than pid and start time: two processes can start within one 10 ms clock tick.
 *
 * At most HELD_LIMIT descriptors are held at once (a fork bomb must not run the watchdog out of
 * descriptors); past that a file is opened, read and closed at each read, and the caller checks
 * the start time it reads. Node opens them close-on-exec: an agent the watchdog starts
 * inherits none.
 */
import { closeSync, openSync, readSync } from 'node:fs';

/** Descriptors held by every ProcFile together. */
export const HELD_LIMIT = 256;
let held = 0;

/** How many descriptors ProcFiles hold now. */
export function heldProcFiles(): number {
  return held;
}

/** Shared by every read: a stat line is under 1.2 KB; it grows for a long children list. */
let buffer = Buffer.allocUnsafe(4096);

/**
 * Reads the whole file at `fd` from offset 0 into the shared buffer: the byte count, or -1 when
 * its process or thread is gone. A /proc file that fills the buffer is read again into a bigger one.
 */
function readWhole(fd: number): number {
  for (;;) {
    let n: number;
    try {
      n = readSync(fd, buffer, 0, buffer.length, 0);
    } catch {
      return -1;
    }
    if (n < buffer.length) return n;
    buffer = Buffer.allocUnsafe(buffer.length * 2);
  }
}

/** The bytes of the last read (valid up to the count it returned, until the next read). */
export function readBytes(): Buffer {
  return buffer;
}

/** The first `n` bytes of the last read, as text (the /proc files read here are ASCII but for a comm). */
export function text(n: number, encoding: 'latin1' | 'utf8' = 'latin1'): string {
  return buffer.toString(encoding, 0, n);
}

/** Reads `path` once (open, read, close) into the shared buffer: the byte count, or -1. */
export function readOnce(path: string): number {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return -1;
  }
  try {
    return readWhole(fd);
  } finally {
    closeSync(fd);
  }
}

const TRANSIENT = -1;
const CLOSED = -2;

export class ProcFile {
  readonly path: string;
  /** The descriptor held; TRANSIENT when each read opens the file again; CLOSED after close(). */
  #fd: number;

  private constructor(path: string, fd: number) {
    this.path = path;
    this.#fd = fd;
  }

  /**
   * Opens `path` and keeps it open while the budget allows (otherwise every read opens it
   * again, and the caller's first read tells whether it exists); null when it cannot be opened.
   */
  static open(path: string): ProcFile | null {
    if (held >= HELD_LIMIT) return new ProcFile(path, TRANSIENT);
    try {
      const fd = openSync(path, 'r');
      held++;
      return new ProcFile(path, fd);
    } catch {
      return null;
    }
  }

  /** Whether this file is held open (a read is one pread), or opened again at each read. */
  get isHeld(): boolean {
    return this.#fd >= 0;
  }

  /** Reads the whole file into the shared buffer: the byte count, or -1 when it is gone. */
  read(): number {
    if (this.#fd >= 0) return readWhole(this.#fd);
    return this.#fd === TRANSIENT ? readOnce(this.path) : -1;
  }

  /** Gives the descriptor back; every later read returns -1. */
  close(): void {
    const fd = this.#fd;
    this.#fd = CLOSED;
    if (fd < 0) return;
    held--;
    try {
      closeSync(fd);
    } catch {
      // Not open any more: nothing to give back.
    }
  }
}

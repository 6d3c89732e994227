/**
 * A pino destination on an inherited descriptor (stdout: the journal under systemd, agent.log
 * for the agent in embedded mode). Each record is one synchronous write, so nothing waits in a
 * buffer when the process exits. A write that fails (a full disk, EAGAIN on a full
 * non-blocking pipe, a closed reader) drops the line and counts it; nothing is thrown and
 * nothing blocks. Other processes may share the descriptor, so a torn line cannot be cut back:
 * the next line starts on a line of its own instead.
 */
import { writeSync } from 'node:fs';
import { errorCode, LostLines } from './lost-lines.js';

/** write(2) as `fs.writeSync` does it; tests pass one that fails or writes short. */
export type WriteFn = (fd: number, buffer: Buffer, offset: number, length: number) => number;

export interface FdDestinationOptions {
  /** Fields of the records the destination writes itself ("lost N lines"). */
  base?: Readonly<Record<string, unknown>>;
  write?: WriteFn;
  wallNow?: () => number;
}

const NEWLINE = Buffer.from('\n');

export class FdDestination {
  readonly #fd: number;
  readonly #base: Readonly<Record<string, unknown>>;
  readonly #write: WriteFn;
  readonly #wallNow: () => number;
  readonly #lost = new LostLines();
  /** A line was left unfinished: the next write starts with a newline. */
  #torn = false;

  constructor(fd: number, options: FdDestinationOptions = {}) {
    this.#fd = fd;
    this.#base = options.base ?? {};
    this.#write = options.write ?? writeSync;
    this.#wallNow = options.wallNow ?? Date.now;
  }

  /** Lines dropped since the last successful write. */
  get lostLines(): number {
    return this.#lost.count;
  }

  write(line: string): void {
    if (this.#lost.count > 0) {
      const notice = this.#put(this.#lost.notice(this.#base, this.#wallNow()));
      if (notice !== null) {
        this.#lost.lose(notice, this.#wallNow());
        return;
      }
      this.#lost.reset();
    }
    const failed = this.#put(line);
    if (failed !== null) this.#lost.lose(failed, this.#wallNow());
  }

  /** Writes the whole line; null when done, else why not. */
  #put(line: string): string | null {
    const prefix = this.#torn ? 1 : 0;
    const bytes = prefix ? Buffer.concat([NEWLINE, Buffer.from(line)]) : Buffer.from(line);
    let offset = 0;
    let failure: string | null = null;
    try {
      while (offset < bytes.length && failure === null) {
        const n = this.#write(this.#fd, bytes, offset, bytes.length - offset);
        if (n > 0) offset += n;
        else failure = 'short write';
      }
    } catch (error) {
      failure = errorCode(error);
    }
    // Torn when part of this line went out without its end (or the pending newline did not).
    this.#torn = failure !== null && (offset > prefix || (prefix === 1 && offset === 0));
    return failure;
  }
}

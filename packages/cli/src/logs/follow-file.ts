/**
 * Follows one log file like `tail -F`: complete lines as they are appended, across rotation (the
 * file renamed and a new one created: the old file is read to its end, then the new one from its
 * start) and truncation (read again from the start). A copytruncate (how vigil rotates
 * agent.log) is seen even when the file has grown back past where we were: the last bytes read
 * are no longer where they were. The lines written between our last read and the truncate are
 * then read from the copy, `name.1`, after those same bytes. Changes are noticed by fs.watch on
 * the directory, with a poll as well because fs.watch misses events on some filesystems (NFS,
 * some containers). A line is only handed on once its newline has arrived.
 */
import { type FSWatcher, type Stats, watch } from 'node:fs';
import { type FileHandle, open, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { offsetAfterLast } from './find-resume-point.js';

const NEWLINE = 0x0a;
const READ_BYTES = 64 * 1024;
/** How many of the last bytes read identify where we were (JSON lines with times are unique). */
const SEEN_BYTES = 256;

export interface FollowFileOptions {
  path: string;
  /** Called with each complete line (no newline) and the file's mtime when it was read. */
  onLine: (line: string, mtimeMs: number) => void;
  onError?: (error: Error) => void;
  /** An already open handle to continue from (after reading its tail), and where to start. */
  handle?: FileHandle | undefined;
  position?: number;
  pollMs?: number;
  /** false: poll only, as on a filesystem where fs.watch reports nothing. */
  watch?: boolean;
}

export class FileFollower {
  readonly #o: FollowFileOptions;
  #handle: FileHandle | null;
  #ino = -1;
  #position: number;
  #partial: Buffer = Buffer.alloc(0);
  /** The last bytes read, ending at #position. */
  #seen: Buffer = Buffer.alloc(0);
  #watcher: FSWatcher | undefined;
  #poll: NodeJS.Timeout | undefined;
  #running: Promise<void> | null = null;
  #again = false;
  #stopped = false;

  constructor(options: FollowFileOptions) {
    this.#o = options;
    this.#handle = options.handle ?? null;
    this.#position = options.position ?? 0;
  }

  async start(): Promise<void> {
    if (this.#handle) {
      this.#ino = (await this.#handle.stat()).ino;
      this.#seen = await this.#bytesBefore(this.#handle, this.#position);
    }
    if (this.#o.watch !== false) this.#watcher = this.#watchDirectory();
    this.#poll = setInterval(() => this.check(), this.#o.pollMs ?? 250);
    this.check();
  }

  #watchDirectory(): FSWatcher | undefined {
    const name = basename(this.#o.path);
    try {
      const watcher = watch(dirname(this.#o.path), (_event, file) => {
        if (file === null || file === name) this.check();
      });
      // A watcher that fails (the directory removed, a filesystem without inotify) leaves the poll.
      watcher.on('error', () => watcher.close());
      return watcher;
    } catch {
      return undefined;
    }
  }

  /** Reads what changed; calls made while a read runs fold into one more read after it. */
  check(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = (async () => {
      do {
        this.#again = false;
        try {
          await this.#readChanges();
        } catch (error) {
          this.#o.onError?.(error as Error);
        }
      } while (this.#again && !this.#stopped);
      this.#running = null;
    })();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#watcher?.close();
    clearInterval(this.#poll);
    await this.#running;
    await this.#handle?.close();
    this.#handle = null;
  }

  async #readChanges(): Promise<void> {
    if (!this.#handle && !(await this.#openCurrent())) return;
    await this.#readToEnd();
    let current: Stats;
    try {
      current = await stat(this.#o.path);
    } catch {
      return; // renamed away and not yet recreated: keep the old file until a new one appears
    }
    if (current.ino === this.#ino) return;
    // Rotated: lines may have reached the old file between the read above and the stat that
    // saw the new one, so it is read to its end once more before it is let go; a last line
    // without its newline will never get one now.
    await this.#readToEnd();
    const mtimeMs = (await (this.#handle as FileHandle).stat()).mtimeMs;
    if (this.#partial.length > 0) this.#o.onLine(this.#partial.toString('utf8'), mtimeMs);
    this.#partial = Buffer.alloc(0);
    await this.#handle?.close();
    this.#handle = null;
    if (await this.#openCurrent()) await this.#readToEnd();
  }

  async #openCurrent(): Promise<boolean> {
    try {
      this.#handle = await open(this.#o.path, 'r');
    } catch {
      return false;
    }
    this.#ino = (await this.#handle.stat()).ino;
    this.#position = 0;
    this.#partial = Buffer.alloc(0);
    this.#seen = Buffer.alloc(0);
    return true;
  }

  async #readToEnd(): Promise<void> {
    const handle = this.#handle as FileHandle;
    const info = await handle.stat();
    if (info.size < this.#position || !(await this.#stillWhereWeWere(handle))) {
      await this.#startOverAfterTruncate();
    }
    const buffer = Buffer.alloc(READ_BYTES);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, READ_BYTES, this.#position);
      if (bytesRead === 0) return;
      // A truncate and regrowth can come between two reads (the writer does not wait for us): the
      // bytes before this chunk are then no longer the ones we read, and the chunk is the new
      // file's, from the wrong place. Checked after the read, so a chunk is never taken from it.
      if (!(await this.#stillWhereWeWere(handle))) {
        await this.#startOverAfterTruncate();
        continue;
      }
      this.#position += bytesRead;
      this.#remember(buffer.subarray(0, bytesRead));
      this.#split(buffer.subarray(0, bytesRead), info.mtimeMs);
    }
  }

  /** Truncated (copytruncate, `: > file`): what is there now is new, read from its start. */
  async #startOverAfterTruncate(): Promise<void> {
    await this.#readRotatedCopy();
    this.#position = 0;
    this.#partial = Buffer.alloc(0);
    this.#seen = Buffer.alloc(0);
  }

  #remember(bytes: Buffer): void {
    const joined = bytes.length >= SEEN_BYTES ? bytes : Buffer.concat([this.#seen, bytes]);
    this.#seen = Buffer.from(joined.subarray(Math.max(0, joined.length - SEEN_BYTES)));
  }

  async #bytesBefore(handle: FileHandle, position: number): Promise<Buffer> {
    const length = Math.min(SEEN_BYTES, position);
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, position - length);
    return buffer.subarray(0, bytesRead);
  }

  /** The bytes before #position are still the ones we read (a truncate and regrowth changes them). */
  async #stillWhereWeWere(handle: FileHandle): Promise<boolean> {
    if (this.#seen.length === 0) return true;
    return (await this.#bytesBefore(handle, this.#position)).equals(this.#seen);
  }

  /** After a copytruncate: the lines we had not read yet, from `name.1` after what we had read. */
  async #readRotatedCopy(): Promise<void> {
    if (this.#seen.length === 0) return;
    let copy: FileHandle;
    try {
      copy = await open(`${this.#o.path}.1`, 'r');
    } catch {
      return;
    }
    try {
      const info = await copy.stat();
      let position = await offsetAfterLast(copy, info.size, this.#seen);
      if (position === null) return;
      const buffer = Buffer.alloc(READ_BYTES);
      for (;;) {
        const { bytesRead } = await copy.read(buffer, 0, READ_BYTES, position);
        if (bytesRead === 0) break;
        position += bytesRead;
        this.#split(buffer.subarray(0, bytesRead), info.mtimeMs);
      }
      // The copy is complete: a last line without its newline will not get one.
      if (this.#partial.length > 0 && !this.#stopped)
        this.#o.onLine(this.#partial.toString('utf8'), info.mtimeMs);
    } finally {
      await copy.close();
    }
  }

  #split(bytes: Buffer, mtimeMs: number): void {
    let start = 0;
    let at = bytes.indexOf(NEWLINE, start);
    while (at >= 0) {
      const piece = bytes.subarray(start, at);
      const line = this.#partial.length ? Buffer.concat([this.#partial, piece]) : piece;
      this.#partial = Buffer.alloc(0);
      if (line.length > 0 && !this.#stopped) this.#o.onLine(line.toString('utf8'), mtimeMs);
      start = at + 1;
      at = bytes.indexOf(NEWLINE, start);
    }
    if (start < bytes.length) this.#partial = Buffer.concat([this.#partial, bytes.subarray(start)]);
  }
}

/**
 * Follows one log file like `tail -F`: complete lines as they are appended, across rotation (the
 * file renamed and a new one created: the old file is read to its end, then the new one from its
 * start) and truncation (the size shrinks: read again from the start). Changes are noticed by
 * fs.watch on the directory, with a poll as well because fs.watch misses events on some
 * filesystems (NFS, some containers). A line is only handed on once its newline has arrived.
 */
import { type FSWatcher, type Stats, watch } from 'node:fs';
import { type FileHandle, open, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';

const NEWLINE = 0x0a;
const READ_BYTES = 64 * 1024;

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
    if (this.#handle) this.#ino = (await this.#handle.stat()).ino;
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
    // Rotated: the old file is complete (read to its end above); a last line without its
    // newline will never get one now.
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
    return true;
  }

  async #readToEnd(): Promise<void> {
    const handle = this.#handle as FileHandle;
    const info = await handle.stat();
    if (info.size < this.#position) {
      // Truncated (copytruncate, `: > file`): what is there now is new.
      this.#position = 0;
      this.#partial = Buffer.alloc(0);
    }
    const buffer = Buffer.alloc(READ_BYTES);
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, READ_BYTES, this.#position);
      if (bytesRead === 0) return;
      this.#position += bytesRead;
      this.#split(buffer.subarray(0, bytesRead), info.mtimeMs);
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

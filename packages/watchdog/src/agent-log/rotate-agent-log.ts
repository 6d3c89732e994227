/**
 * Keeps agent.log under `maxBytes` in embedded mode. The agent writes it through the stdout and
 * stderr it inherited (so it keeps logging after the watchdog dies), so the file cannot be
 * renamed under it: it is copied, then truncated, as logrotate's copytruncate does. The agent's
 * descriptor has O_APPEND, so its next write lands at the new end.
 *
 * The size is checked without polling: an fs.watch on the file fires on the first write, closes
 * itself, and the size is looked at about a second later, then the watch is armed again. A quiet
 * agent costs no wakeups; a chatty one about one a second.
 *
 * The copy keeps the newest `maxBytes` (from a line start) in `agent.log.1`, plus what the agent
 * appended while it was made (at most a quarter more), the older files shifted up to `.keep`. Lines the agent writes in the instant between the last read of the
 * copy and the truncate are lost: that window is a few milliseconds. On a full disk, where no
 * copy can be made, the file is truncated without one, so a chatty agent cannot hold the disk
 * full.
 */
import { randomBytes } from 'node:crypto';
import { constants, type FSWatcher, watch } from 'node:fs';
import { type FileHandle, lstat, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { type Logger, rotatedName, shiftRotated } from '@vigil/shared';

export interface AgentLogRotatorOptions {
  path: string;
  maxBytes: number;
  keep: number;
  logger: Logger;
  /** From the first write seen to the size check. */
  settleMs?: number;
  /** How often to look again for a file that does not exist (yet). */
  missingRetryMs?: number;
}

const CHUNK = 1024 * 1024;
/** The most copied after the first pass (a share of maxBytes): a flood is not chased for ever. */
const CATCH_UP_SHARE = 0.25;
const DISK_FULL = new Set(['ENOSPC', 'EDQUOT', 'EFBIG']);

export class AgentLogRotator {
  readonly #o: AgentLogRotatorOptions;
  #watcher: FSWatcher | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #closed = false;
  /** Size checks and rotations done, for tests. */
  checks = 0;
  rotations = 0;

  constructor(options: AgentLogRotatorOptions) {
    this.#o = options;
  }

  /** Checks at once (the file may have grown while no watchdog ran), then on each burst of writes. */
  start(): void {
    this.#check();
  }

  /** Resolves once no check is running. */
  async idle(): Promise<void> {
    await this.#running;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#watcher?.close();
    this.#watcher = undefined;
    clearTimeout(this.#timer);
    await this.#running;
  }

  #arm(): void {
    if (this.#closed || this.#watcher) return;
    const settleMs = this.#o.settleMs ?? 1000;
    // The file, or while it does not exist yet (no agent started so far) its folder, for its name.
    this.#watcher =
      this.#watch(this.#o.path, () => true, settleMs) ??
      this.#watch(dirname(this.#o.path), (name) => name === null || name === basename(this.#o.path), 0);
    if (!this.#watcher) this.#later(this.#o.missingRetryMs ?? 5000);
  }

  /** A one-shot watch: the first matching event closes it and schedules a check. */
  #watch(path: string, matches: (name: string | null) => boolean, delayMs: number): FSWatcher | undefined {
    try {
      const watcher = watch(path, { persistent: false }, (_event, name) => {
        if (!matches(name)) return;
        this.#unwatch(watcher);
        this.#later(delayMs);
      });
      watcher.on('error', () => {
        this.#unwatch(watcher);
        this.#later(this.#o.missingRetryMs ?? 5000);
      });
      return watcher;
    } catch {
      return undefined;
    }
  }

  #unwatch(watcher: FSWatcher): void {
    watcher.close();
    if (this.#watcher === watcher) this.#watcher = undefined;
  }

  #later(ms: number): void {
    if (this.#closed) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => (this.#running ? this.#later(ms) : this.#check()), ms);
    this.#timer.unref();
  }

  #check(): void {
    if (this.#closed || this.#running) return;
    // Armed before the size is read: a write from now on is seen (our own truncate included).
    this.#arm();
    this.#running = this.#rotateIfLarge()
      .catch((error: Error) =>
        this.#o.logger.warn({ path: this.#o.path, err: error.message }, 'cannot rotate agent.log'),
      )
      .finally(() => {
        this.#running = undefined;
      });
  }

  async #rotateIfLarge(): Promise<void> {
    this.checks++;
    let size: number;
    try {
      const st = await lstat(this.#o.path);
      if (!st.isFile()) return; // a link or something else planted there: never written through
      size = st.size;
    } catch {
      return;
    }
    if (size < this.#o.maxBytes) return;
    await this.#rotate();
  }

  async #rotate(): Promise<void> {
    const { path, maxBytes, keep, logger } = this.#o;
    // O_NOFOLLOW and O_NONBLOCK: a link or FIFO swapped in since the lstat is refused, not followed.
    const source = await open(path, constants.O_RDWR | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    try {
      const st = await source.stat();
      if (!st.isFile()) return;
      // Shift first: the oldest file goes, which frees its space before the copy needs some.
      shiftRotated(path, keep);
      const copy = new RotatedCopy(path);
      let atEnd: boolean;
      try {
        await copy.copyNewest(source, st.size, maxBytes);
        await copy.place(rotatedName(path, 1));
        // Read to the end once more just before the truncate: the window is only what comes after.
        atEnd = await copy.copyToEnd(source, Math.ceil(maxBytes * CATCH_UP_SHARE));
      } catch (error) {
        await copy.abandon();
        const code = (error as NodeJS.ErrnoException).code ?? '';
        if (!DISK_FULL.has(code)) throw error;
        await source.truncate(0);
        this.rotations++;
        logger.error(
          { path, reason: code, lostBytes: st.size - copy.bytes },
          'agent.log could not be copied on a full disk; truncated without a full copy',
        );
        return;
      }
      // Only an agent writing faster than the copy leaves more than the window behind.
      const left = atEnd ? 0 : (await source.stat()).size - copy.end;
      await source.truncate(0);
      await copy.finish();
      this.rotations++;
      logger.info(
        {
          path,
          bytes: copy.bytes,
          ...(copy.dropped ? { droppedBytes: copy.dropped } : {}),
          ...(left > 0 ? { lostBytes: left } : {}),
        },
        'rotated agent.log',
      );
    } finally {
      await source.close();
    }
  }
}

/** The copy that becomes `agent.log.1`: written under a temp name, then renamed into place. */
class RotatedCopy {
  readonly #temp: string;
  #target: FileHandle | undefined;
  #placed = false;
  readonly #buffer = Buffer.alloc(CHUNK);
  /** Offset in the source up to which it is copied. */
  end = 0;
  bytes = 0;
  /** Older bytes left out to keep the copy within maxBytes. */
  dropped = 0;

  constructor(path: string) {
    this.#temp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.rotating`);
  }

  /** The newest `maxBytes` of the source, from a line start. */
  async copyNewest(source: FileHandle, size: number, maxBytes: number): Promise<void> {
    this.#target = await open(
      this.#temp,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
      0o640,
    );
    this.end = size > maxBytes ? await this.#lineStartAfter(source, size - maxBytes) : 0;
    this.dropped = this.end;
    await this.#copy(source, size, false);
  }

  /** Then whatever was appended since, to the end as it is now (bounded: a flood is not chased). */
  async copyToEnd(source: FileHandle, atMost: number): Promise<boolean> {
    return this.#copy(source, this.end + atMost, true);
  }

  async finish(): Promise<void> {
    await this.#target?.close();
    this.#target = undefined;
  }

  async place(name: string): Promise<void> {
    await rename(this.#temp, name);
    this.#placed = true;
  }

  async abandon(): Promise<void> {
    await this.#target?.close().catch(() => {});
    if (!this.#placed) await unlink(this.#temp).catch(() => {});
  }

  /**
   * Copies from `end` up to `until`; true when it stopped at the end of the source. Stopped
   * short with `wholeLines`, the copy is cut back to its last whole line.
   */
  async #copy(source: FileHandle, until: number, wholeLines: boolean): Promise<boolean> {
    const target = this.#target as FileHandle;
    let lineEnd: { end: number; bytes: number } | null = null;
    while (this.end < until) {
      const { bytesRead } = await source.read(this.#buffer, 0, Math.min(CHUNK, until - this.end), this.end);
      if (bytesRead === 0) return true;
      const chunk = this.#buffer.subarray(0, bytesRead);
      await writeAll(target, chunk, this.bytes);
      const newline = chunk.lastIndexOf(0x0a);
      if (newline >= 0) lineEnd = { end: this.end + newline + 1, bytes: this.bytes + newline + 1 };
      this.end += bytesRead;
      this.bytes += bytesRead;
    }
    if (wholeLines && lineEnd && lineEnd.end < this.end) {
      await target.truncate(lineEnd.bytes);
      this.end = lineEnd.end;
      this.bytes = lineEnd.bytes;
    }
    return false;
  }

  async #lineStartAfter(source: FileHandle, at: number): Promise<number> {
    const { bytesRead } = await source.read(this.#buffer, 0, 64 * 1024, at);
    const newline = this.#buffer.subarray(0, bytesRead).indexOf(0x0a);
    return newline >= 0 ? at + newline + 1 : at;
  }
}

async function writeAll(handle: FileHandle, bytes: Buffer, position: number): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.length - offset, position + offset);
    if (bytesWritten <= 0) throw Object.assign(new Error('short write'), { code: 'ENOSPC' });
    offset += bytesWritten;
  }
}

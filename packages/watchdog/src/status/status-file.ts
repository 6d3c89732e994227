/**
 * `run/status.json`: the status object, rewritten atomically (a new temp file, then rename)
 * whenever it changes and every 30 s, so `vigil status` can answer without the daemon
 * (s6-svstat reads its status file the same way). Readable by the vigil group. A failed write
 * (the run folder removed, a full disk) is said once and tried again on the next change.
 */
import { dirname } from 'node:path';
import { ensureDir, type Logger, type StatusSnapshot, writeFileAtomic } from '@vigil/shared';

export interface StatusFileOptions {
  path: string;
  build: () => StatusSnapshot;
  /** Runs after each write with the same snapshot (the metrics textfile follows it). */
  onWrite?: ((snapshot: StatusSnapshot) => void) | undefined;
  /** The mode of the folder, recreated before a write when it is gone. */
  dirMode: number;
  logger?: Logger | undefined;
  refreshMs?: number;
}

export class StatusFile {
  readonly #o: StatusFileOptions;
  #scheduled = false;
  #timer: NodeJS.Timeout | undefined;
  #failing = false;

  constructor(options: StatusFileOptions) {
    this.#o = options;
    this.#timer = setInterval(() => this.writeNow(), options.refreshMs ?? 30_000);
    this.#timer.unref();
  }

  /** Coalesces bursts of changes into one write at the end of the current tick. */
  changed(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.writeNow();
    });
  }

  writeNow(snapshot: StatusSnapshot = this.#o.build()): void {
    const { path, dirMode, logger } = this.#o;
    try {
      ensureDir(dirname(path), { mode: dirMode, report: logger });
      writeFileAtomic(path, `${JSON.stringify(snapshot, null, 2)}\n`, { mode: 0o640 });
      if (this.#failing) logger?.info({ path }, 'status file written again');
      this.#failing = false;
    } catch (error) {
      // Status over the socket still works; the file follows at the next change.
      if (!this.#failing) logger?.warn({ err: error, path }, 'could not write the status file');
      this.#failing = true;
    }
    this.#o.onWrite?.(snapshot);
  }

  close(): void {
    clearInterval(this.#timer);
  }
}

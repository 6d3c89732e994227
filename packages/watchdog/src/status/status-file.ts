/**
 * `run/status.json`: the status object, rewritten atomically (write, then rename) whenever it
 * changes and every few seconds, so `vigil status` can answer without the daemon (s6-svstat
 * reads its status file the same way). Readable by the vigil group.
 */
import type { StatusSnapshot } from '@vigil/shared';
import { writeAtomic } from '../process/pid-file.js';

export class StatusFile {
  readonly #path: string;
  readonly #build: () => StatusSnapshot;
  #scheduled = false;
  #timer: NodeJS.Timeout | undefined;

  readonly #onWrite: ((snapshot: StatusSnapshot) => void) | undefined;

  /** `onWrite` runs after each write with the same snapshot (the metrics textfile follows it). */
  constructor(
    path: string,
    build: () => StatusSnapshot,
    onWrite?: (snapshot: StatusSnapshot) => void,
    refreshMs = 30_000,
  ) {
    this.#path = path;
    this.#build = build;
    this.#onWrite = onWrite;
    this.#timer = setInterval(() => this.writeNow(), refreshMs);
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

  writeNow(snapshot: StatusSnapshot = this.#build()): void {
    try {
      writeAtomic(this.#path, `${JSON.stringify(snapshot, null, 2)}\n`, 0o640);
    } catch {
      // The run dir vanished (shutdown, tmpfs cleaned): status over the socket still works.
    }
    this.#onWrite?.(snapshot);
  }

  close(): void {
    clearInterval(this.#timer);
  }
}

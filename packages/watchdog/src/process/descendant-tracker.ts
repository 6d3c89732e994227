/**
 * The agent's descendants as last seen, kept while it runs. When the agent dies by itself its
 * orphans are reparented at once and no walk from it can find them again; this set (pid + start
 * time, so a reused pid is never taken for one of them) is what the sweep after the exit kills.
 * Refreshed by a walk of /proc children files: soon after a change, then less often while the
 * tree stays the same, so an idle agent costs a few reads every few seconds.
 */
import { identityOf, MAX_PROCESSES, type ProcessIdentity, walkTree } from './descendants.js';
import { isSameProcessAlive } from './proc-stat.js';

export interface DescendantTrackerOptions {
  /** The first refresh, and the next one after the tree changed. */
  minMs?: number;
  /** The longest wait between refreshes of an unchanged tree. */
  maxMs?: number;
  /** Told the tracked pids whenever the set changes. */
  onChange?(pids: number[]): void;
}

export class DescendantTracker {
  readonly #root: ProcessIdentity;
  readonly #o: DescendantTrackerOptions;
  readonly #known = new Map<number, ProcessIdentity>();
  #timer: NodeJS.Timeout | undefined;
  #delayMs: number;
  #stopped = false;

  constructor(root: { pid: number; startTicks: number }, options: DescendantTrackerOptions = {}) {
    this.#root = { ...root, name: 'agent' };
    this.#o = options;
    this.#delayMs = options.minMs ?? 250;
  }

  start(): this {
    this.#schedule();
    return this;
  }

  /** Walks the tree now; what was seen before stays while it lives (it may have left the tree). */
  refresh(): void {
    let changed = false;
    for (const [pid, p] of this.#known) {
      if (!isSameProcessAlive(pid, p.startTicks)) {
        this.#known.delete(pid);
        changed = true;
      }
    }
    if (isSameProcessAlive(this.#root.pid, this.#root.startTicks)) {
      for (const p of walkTree([this.#root, ...this.#known.values()])) {
        if (this.#known.has(p.pid) || this.#known.size >= MAX_PROCESSES) continue;
        this.#known.set(p.pid, p);
        changed = true;
      }
    }
    const minMs = this.#o.minMs ?? 250;
    const maxMs = this.#o.maxMs ?? 4000;
    this.#delayMs = changed ? minMs : Math.min(maxMs, this.#delayMs * 2);
    if (changed) this.#o.onChange?.([...this.#known.keys()]);
  }

  /** The descendants last seen alive (each checked again before any signal). */
  members(): ProcessIdentity[] {
    return [...this.#known.values()].filter((p) => identityOf(p.pid)?.startTicks === p.startTicks);
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.refresh();
      this.#schedule();
    }, this.#delayMs);
    // Tracking never keeps the watchdog alive on its own.
    this.#timer.unref();
  }
}

/**
 * The agent's descendants as last seen, kept while it runs. When the agent dies by itself its
 * orphans are reparented at once and no walk from it can find them again; this set (pid + start
 * time, so a reused pid is never taken for one of them) is what the sweep after the exit kills.
 * Refreshed by a walk of the tree: soon after a change, then less often while the tree stays the
 * same. The walk goes over held files (detect/sampled-tree.ts: each process's stat and its
 * threads' children files stay open), so an idle agent costs a listing of its threads and one
 * pread a thread every few seconds, with nothing opened; and a refresh that falls due soon after
 * another wakeup of the watchdog is taken on that one (`rideIfDueWithin`).
 */
import { SampledTree } from '../detect/sampled-tree.js';
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
  /** The agent's live tree, over held files; null once the agent is gone or tracking stopped. */
  #tree: SampledTree | null;
  #timer: NodeJS.Timeout | undefined;
  /** When the armed timer fires, and when the next refresh is due (performance.now() ms). */
  #timerAt = 0;
  #dueAt = 0;
  /** When a wakeup of the watchdog last offered a ride, and how long after the one before. */
  #offeredAt = Number.NEGATIVE_INFINITY;
  #offerGapMs = Number.POSITIVE_INFINITY;
  #delayMs: number;
  #stopped = false;

  constructor(root: { pid: number; startTicks: number }, options: DescendantTrackerOptions = {}) {
    this.#root = { ...root, name: 'agent' };
    this.#o = options;
    this.#delayMs = options.minMs ?? 250;
    this.#tree = new SampledTree(root.pid, root.startTicks);
  }

  start(): this {
    this.#dueAt = performance.now() + this.#delayMs;
    this.#arm();
    return this;
  }

  /** Walks the tree now; what was seen before stays while it lives (it may have left the tree). */
  refresh(): void {
    let changed = false;
    // A tree that lost its root to a failed read (not an exit: the agent is still the same
    // process) is opened again, so one bad read never ends the tracking.
    if (!this.#tree && !this.#stopped && isSameProcessAlive(this.#root.pid, this.#root.startTicks)) {
      this.#tree = new SampledTree(this.#root.pid, this.#root.startTicks);
    }
    const tree = this.#tree;
    // A member's held stat file says whether it still lives; the walk finds the newcomers.
    tree?.read();
    tree?.refresh(MAX_PROCESSES);
    const inTree = new Map((tree?.identities() ?? []).map((p) => [p.pid, p.startTicks]));
    const rootAlive =
      inTree.get(this.#root.pid) === this.#root.startTicks ||
      isSameProcessAlive(this.#root.pid, this.#root.startTicks);
    if (tree && inTree.get(this.#root.pid) !== this.#root.startTicks) {
      tree.close();
      this.#tree = null;
    }
    for (const [pid, p] of this.#known) {
      // Its own stat says whether it lives, in the tree or out of it (orphaned): a child that
      // exited stays listed in its parent's children file as a zombie until it is reaped.
      if (!isSameProcessAlive(pid, p.startTicks)) {
        this.#known.delete(pid);
        changed = true;
      }
    }
    if (rootAlive) {
      const orphans: ProcessIdentity[] = [];
      for (const p of this.#known.values()) if (inTree.get(p.pid) !== p.startTicks) orphans.push(p);
      for (const [pid, startTicks] of inTree) {
        if (pid === this.#root.pid || this.#known.has(pid) || this.#known.size >= MAX_PROCESSES) continue;
        // A newcomer's name, for the logs of a later kill: read once, when it joins.
        const id = identityOf(pid);
        if (id?.startTicks !== startTicks) continue;
        this.#known.set(pid, id);
        changed = true;
      }
      // What an orphan started is the agent's too, though no walk from the agent reaches it.
      if (orphans.length > 0) {
        for (const p of walkTree(orphans)) {
          if (this.#known.has(p.pid) || this.#known.size >= MAX_PROCESSES) continue;
          this.#known.set(p.pid, p);
          changed = true;
        }
      }
    }
    const minMs = this.#o.minMs ?? 250;
    const maxMs = this.#o.maxMs ?? 4000;
    this.#delayMs = changed ? minMs : Math.min(maxMs, this.#delayMs * 2);
    this.#dueAt = performance.now() + this.#delayMs;
    if (changed) this.#o.onChange?.([...this.#known.keys()]);
  }

  /**
   * Refreshes now when the next refresh is due within `withinMs`: the watchdog is awake anyway
   * (a heartbeat look), and a refresh taken on that wakeup costs none of its own. Refreshes only
   * come earlier this way, never later. Offered at least every `withinMs` while the agent is
   * watched, it leaves the tracker's own timer as a backstop for an unchanged tree (see #arm).
   */
  rideIfDueWithin(withinMs: number): void {
    if (this.#stopped) return;
    const now = performance.now();
    this.#offerGapMs = now - this.#offeredAt;
    this.#offeredAt = now;
    if (this.#dueAt - now > withinMs) return;
    this.refresh();
    // The tree changed (the pace is back below its longest): a backstop armed for later than the
    // next refresh must not wait. An unchanged tree leaves it where it is.
    if (this.#timer !== undefined && this.#delayMs < (this.#o.maxMs ?? 4000) && this.#timerAt > this.#dueAt) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#arm();
  }

  /** In how many ms the tracker's own timer fires (undefined when none is armed). */
  get nextTimerInMs(): number | undefined {
    return this.#timer === undefined ? undefined : Math.max(0, this.#timerAt - performance.now());
  }

  /** The descendants last seen alive (each checked again before any signal). */
  members(): ProcessIdentity[] {
    return [...this.#known.values()].filter((p) => identityOf(p.pid)?.startTicks === p.startTicks);
  }

  /** Stops looking and gives back the files it held; what it saw stays, for the sweep. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#tree?.close();
    this.#tree = null;
  }

  /**
   * Arms the tracker's own timer unless one is armed. While rides are offered and the tree stays
   * unchanged, it is a backstop two refreshes away that a ride never moves: a cleared Node
   * timer still costs its wakeup (the loop's one timer stays set for the old expiry), so moving
   * it on each ride would save nothing. Otherwise it fires when the next refresh is due.
   */
  #arm(): void {
    if (this.#stopped || this.#timer !== undefined) return;
    const now = performance.now();
    const maxMs = this.#o.maxMs ?? 4000;
    const backstopMs = 2 * maxMs;
    // Rides count as coming while they come more often than the longest pace (looks farther apart
    // than that, as under a long heartbeat timeout, leave the pace to the timer), and the last one
    // came within it: once they stop, the timer is back at the refreshes' pace after at most one
    // backstop.
    const riding = now - this.#offeredAt < maxMs && this.#offerGapMs < maxMs && this.#delayMs >= maxMs;
    this.#timerAt = riding ? now + backstopMs : this.#dueAt;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        if (performance.now() >= this.#dueAt - 1) this.refresh();
        this.#arm();
      },
      Math.max(0, this.#timerAt - now),
    );
    // Tracking never keeps the watchdog alive on its own.
    this.#timer.unref();
  }
}

/**
 * Termination as one explicit sequence (like execa's terminate/). Before the first signal the
 * agent's processes are listed: its tree from /proc children files, what the tracker saw
 * earlier, its group and its token carriers. Then SIGTERM to the group, a grace while the tree
 * is walked again, and the kill: everything is stopped first (SIGSTOP; a stopped process cannot
 * fork), the frozen tree is walked once more, and all of it gets SIGKILL. Every signal goes
 * through the guard; what it refused is reported, not thrown.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  childrenOf,
  identityOf,
  instanceEntry,
  MAX_PROCESSES,
  type ProcessIdentity,
  scanProc,
  walkTree,
} from './descendants.js';
import { isSameProcessAlive, readProcStat } from './proc-stat.js';
import { guardedSignal, type SignalTarget } from './signal-guard.js';

export type StopHow = 'already-exited' | 'SIGTERM' | 'SIGKILL';

export interface Refusal {
  pid: number;
  signal: NodeJS.Signals;
  reason: string;
}

export interface KillTreeOptions {
  /** The agent: pid and the start time it was launched with. */
  root: { pid: number; startTicks: number };
  /** The agent start's environment token, to find processes that left both tree and group. */
  instance?: string | undefined;
  /** SIGTERM to SIGKILL; 0 sends SIGKILL at once. */
  graceMs: number;
  /** Descendants seen while the agent ran (the tracker). */
  tracked?: ProcessIdentity[];
  /** Resolves true once the root has exited (the launcher knows best, e.g. its child's exit event). */
  waitForExit?(timeoutMs: number): Promise<boolean>;
}

export interface KillTreeOutcome {
  how: StopHow;
  /** Processes other than the root that were signalled. */
  killed: ProcessIdentity[];
  /** Anything found that is still alive at the end (should be empty). */
  survivors: ProcessIdentity[];
  /** Signals the guard refused (to be logged once by the caller). */
  refused?: Refusal[];
}

/** Signals through the guard, keeping what it refused. */
class Signaller {
  readonly refused: Refusal[] = [];
  readonly #proof: string | undefined;

  constructor(instance: string | undefined) {
    this.#proof = instance ? instanceEntry(instance) : undefined;
  }

  send(target: Omit<SignalTarget, 'proof'>, signal: NodeJS.Signals): boolean {
    const verdict = guardedSignal({ ...target, proof: this.#proof }, signal);
    // One refusal per process: its SIGSTOP and SIGKILL are refused for the same reason.
    if (verdict.outcome === 'refused' && !this.refused.some((r) => r.pid === target.pid)) {
      this.refused.push({ pid: target.pid, signal, reason: verdict.reason });
    }
    return verdict.outcome === 'sent';
  }
}

export async function pollUntilGone(ids: ProcessIdentity[], timeoutMs: number): Promise<ProcessIdentity[]> {
  const deadline = performance.now() + timeoutMs;
  let alive = ids.filter((p) => isSameProcessAlive(p.pid, p.startTicks));
  while (alive.length && performance.now() < deadline) {
    await sleep(10);
    alive = alive.filter((p) => isSameProcessAlive(p.pid, p.startTicks));
  }
  return alive;
}

function merge(into: Map<number, ProcessIdentity>, found: ProcessIdentity[], rootPid: number): void {
  for (const p of found) if (p.pid !== rootPid && !into.has(p.pid)) into.set(p.pid, p);
}

/**
 * Whether processes in group `root.pid` are the agent's: the agent itself still holds the pid,
 * or nothing does (a pid stays allocated while its group has members, so the group cannot be a
 * newer one). A pid in use by another process means another group: it is left alone.
 */
function groupIsOurs(root: { pid: number; startTicks: number }): boolean {
  const stat = readProcStat(root.pid);
  return stat === null || stat.startTicks === root.startTicks;
}

/** Group members (started with or after the agent) and token carriers, from one /proc pass. */
function scanFor(root: { pid: number; startTicks: number }, instance: string | undefined) {
  return scanProc({
    pgid: groupIsOurs(root) ? root.pid : undefined,
    notBefore: root.startTicks,
    entry: instance ? instanceEntry(instance) : undefined,
  });
}

/**
 * SIGSTOP to the root's group, the root and `known`, then to every child found below them until
 * no new one appears (nothing stopped can fork), then SIGKILL to all of it. `known` grows.
 */
function freezeAndKill(
  root: ProcessIdentity | undefined,
  known: Map<number, ProcessIdentity>,
  signals: Signaller,
): void {
  if (root) {
    signals.send({ ...root, group: true }, 'SIGSTOP');
    signals.send(root, 'SIGSTOP');
  }
  let pending = [...(root ? [root] : []), ...known.values()];
  for (const p of known.values()) signals.send(p, 'SIGSTOP');
  while (pending.length && known.size < MAX_PROCESSES) {
    const next: ProcessIdentity[] = [];
    for (const parent of pending) {
      for (const pid of childrenOf(parent.pid)) {
        if (pid === root?.pid || known.has(pid)) continue;
        const child = identityOf(pid);
        if (!child) continue;
        known.set(pid, child);
        signals.send(child, 'SIGSTOP');
        next.push(child);
      }
    }
    pending = next;
  }
  if (root) {
    signals.send({ ...root, group: true }, 'SIGKILL');
    signals.send(root, 'SIGKILL');
  }
  for (const p of known.values()) signals.send(p, 'SIGKILL');
}

async function finish(
  known: Map<number, ProcessIdentity>,
  signals: Signaller,
  how: StopHow,
): Promise<KillTreeOutcome> {
  const killed = [...known.values()];
  let survivors = await pollUntilGone(killed, 1000);
  if (survivors.length) {
    for (const p of survivors) signals.send(p, 'SIGKILL');
    survivors = await pollUntilGone(survivors, 1000);
  }
  return { how, killed, survivors, refused: signals.refused };
}

export async function killTree(options: KillTreeOptions): Promise<KillTreeOutcome> {
  const rootStat = readProcStat(options.root.pid);
  const alive =
    rootStat?.startTicks === options.root.startTicks && rootStat.state !== 'Z' && rootStat.state !== 'X';
  const root: ProcessIdentity | undefined = alive ? { ...options.root, name: rootStat.comm } : undefined;
  const signals = new Signaller(options.instance);
  const waitForRoot =
    options.waitForExit ??
    (async (ms: number) => (root ? (await pollUntilGone([root], ms)).length === 0 : true));

  // Listed before the first signal: once the agent dies, its orphans leave its tree at once.
  const known = new Map<number, ProcessIdentity>();
  merge(known, [...(options.tracked ?? []), ...(root ? walkTree([root]) : [])], options.root.pid);

  let how: StopHow = root ? 'SIGKILL' : 'already-exited';
  // A stopped process cannot act on SIGTERM until continued: it goes straight to SIGKILL.
  const stopped = rootStat?.state === 'T' || rootStat?.state === 't';
  if (root && options.graceMs > 0 && !stopped) {
    merge(known, await scanFor(options.root, options.instance), root.pid);
    // The launcher started the agent leading its own group; if it does not, it alone is asked.
    if (!signals.send({ ...root, group: true }, 'SIGTERM')) signals.send(root, 'SIGTERM');
    const deadline = performance.now() + options.graceMs;
    let exited = false;
    // The tree is walked again during the grace: what the agent starts while it stops is ours too.
    while (!exited && performance.now() < deadline) {
      exited = await waitForRoot(Math.min(100, Math.max(1, deadline - performance.now())));
      if (!exited) merge(known, walkTree([root]), root.pid);
    }
    if (exited) how = 'SIGTERM';
  }
  freezeAndKill(root && isSameProcessAlive(root.pid, root.startTicks) ? root : undefined, known, signals);
  if (root) await waitForRoot(2000);
  // Whatever escaped both walks but carries the token or the group id (or started meanwhile).
  const late = new Map<number, ProcessIdentity>();
  merge(late, await scanFor(options.root, options.instance), options.root.pid);
  for (const pid of known.keys()) late.delete(pid);
  if (late.size) {
    freezeAndKill(undefined, late, signals);
    merge(known, [...late.values()], options.root.pid);
  }
  return finish(known, signals, how);
}

/**
 * After the agent exited by itself: its group leader is gone, so nothing is signalled as a
 * group. What the tracker saw goes at once (with everything below it), before any /proc scan,
 * so a restart is not delayed; then group members and token carriers found by the scan.
 */
export async function sweepAfterExit(options: {
  root: { pid: number; startTicks: number };
  instance: string | undefined;
  tracked?: ProcessIdentity[];
}): Promise<KillTreeOutcome> {
  const signals = new Signaller(options.instance);
  const known = new Map<number, ProcessIdentity>();
  merge(known, options.tracked ?? [], options.root.pid);
  if (known.size) freezeAndKill(undefined, known, signals);
  // The /proc scan waits a turn of the event loop, so the restart goes first.
  await new Promise((resolve) => setImmediate(resolve));
  const late = new Map<number, ProcessIdentity>();
  merge(late, await scanFor(options.root, options.instance), options.root.pid);
  for (const pid of known.keys()) late.delete(pid);
  if (late.size) {
    freezeAndKill(undefined, late, signals);
    merge(known, [...late.values()], options.root.pid);
  }
  return finish(known, signals, 'already-exited');
}

/**
 * At startup, for a recorded agent that cannot be adopted: whatever still carries that start's
 * token (and, since the token came from a file, also `alsoEntry`, e.g. this home's agent socket).
 */
export async function killMarked(options: { instance: string; alsoEntry: string }): Promise<KillTreeOutcome> {
  const signals = new Signaller(options.instance);
  const known = new Map<number, ProcessIdentity>();
  const found = await scanProc({ entry: instanceEntry(options.instance), alsoEntry: options.alsoEntry });
  merge(known, found, 0);
  if (known.size) freezeAndKill(undefined, known, signals);
  return finish(known, signals, 'already-exited');
}

/**
 * Termination as one explicit sequence (like execa's terminate/): SIGTERM to the whole process
 * group, wait, SIGKILL to the group and to every process of the agent seen before the first
 * signal (a grandchild that called setsid has left the group but not the tree), then check that
 * nothing from that snapshot is still alive.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { findByInstance, type ProcessIdentity, snapshotTree } from './descendants.js';
import { isSameProcessAlive, readProcStat } from './proc-stat.js';

export type StopHow = 'already-exited' | 'SIGTERM' | 'SIGKILL';

export interface KillTreeOptions {
  pid: number;
  /** The agent start's environment token, to find processes that left both tree and group. */
  instance?: string | undefined;
  /** SIGTERM to SIGKILL; 0 sends SIGKILL at once. */
  graceMs: number;
  /** Resolves true once the root has exited (the launcher knows best, e.g. its child's exit event). */
  waitForExit?(timeoutMs: number): Promise<boolean>;
}

export interface KillTreeOutcome {
  how: StopHow;
  /** Processes other than the root that were signalled. */
  killed: ProcessIdentity[];
  /** Anything from the snapshot still alive at the end (should be empty). */
  survivors: ProcessIdentity[];
}

/** kill(2) that reports rather than throws: false when the target is gone (or not ours). */
export function sendSignal(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  return sendSignal(-pgid, signal);
}

/** Signals `p` only if it is still the process it was (never a reused pid). */
export function signalIdentity(p: ProcessIdentity, signal: NodeJS.Signals): void {
  if (isSameProcessAlive(p.pid, p.startTicks)) sendSignal(p.pid, signal);
}

export async function pollUntilGone(ids: ProcessIdentity[], timeoutMs: number): Promise<ProcessIdentity[]> {
  const deadline = Date.now() + timeoutMs;
  let alive = ids.filter((p) => isSameProcessAlive(p.pid, p.startTicks));
  while (alive.length && Date.now() < deadline) {
    await sleep(10);
    alive = alive.filter((p) => isSameProcessAlive(p.pid, p.startTicks));
  }
  return alive;
}

/** Everything of the agent but the root: tree, group, and environment-marked strays. */
async function snapshot(pid: number, instance: string | undefined): Promise<ProcessIdentity[]> {
  const found = new Map<number, ProcessIdentity>();
  for (const p of await snapshotTree(pid)) found.set(p.pid, p);
  if (instance) for (const p of findByInstance(instance, pid)) found.set(p.pid, p);
  return [...found.values()];
}

export async function killTree(options: KillTreeOptions): Promise<KillTreeOutcome> {
  const rootStat = readProcStat(options.pid);
  const root: ProcessIdentity | undefined =
    rootStat && rootStat.state !== 'Z' && rootStat.state !== 'X'
      ? { pid: options.pid, startTicks: rootStat.startTicks, name: rootStat.comm }
      : undefined;
  const waitForRoot =
    options.waitForExit ??
    (async (ms: number) => (root ? (await pollUntilGone([root], ms)).length === 0 : true));

  let how: StopHow = root ? 'SIGKILL' : 'already-exited';
  let others: ProcessIdentity[] | undefined;
  // A stopped process cannot act on SIGTERM until continued: it goes straight to SIGKILL.
  const stopped = rootStat?.state === 'T' || rootStat?.state === 't';
  // The agent leads its own process group (spawned detached), so the group id is its pid.
  if (root && options.graceMs > 0 && !stopped) {
    signalGroup(options.pid, 'SIGTERM');
    // The tree is listed during the grace, not before the first signal: listing costs a fork of
    // `ps`, and a restart must not wait for it. Whatever leaves the tree meanwhile still carries
    // the instance token and is found by it.
    const [exited, found] = await Promise.all([
      waitForRoot(options.graceMs),
      snapshot(options.pid, options.instance),
    ]);
    others = found;
    if (exited) how = 'SIGTERM';
  }
  signalGroup(options.pid, 'SIGKILL');
  if (root) signalIdentity(root, 'SIGKILL');
  // Without a grace the tree was never listed: the group is already gone, and whatever left it
  // is found by the instance token, after the kill rather than before it.
  others ??= options.instance ? findByInstance(options.instance, options.pid) : [];
  for (const p of others) signalIdentity(p, 'SIGKILL');
  if (root) await waitForRoot(2000);

  let survivors = await pollUntilGone(others, 1000);
  if (survivors.length) {
    for (const p of survivors) signalIdentity(p, 'SIGKILL');
    survivors = await pollUntilGone(survivors, 1000);
  }
  return { how, killed: others, survivors };
}

/**
 * After the agent exited by itself: SIGKILL what is left of its group at once (one syscall, so
 * a restart is not delayed), then find and kill strays of that start. Returns what survived.
 */
export async function sweepAfterExit(pid: number, instance: string | undefined): Promise<KillTreeOutcome> {
  signalGroup(pid, 'SIGKILL');
  // The /proc scan waits a turn of the event loop, so the restart goes first.
  await new Promise((resolve) => setImmediate(resolve));
  const strays = instance ? findByInstance(instance) : [];
  for (const p of strays) signalIdentity(p, 'SIGKILL');
  const survivors = await pollUntilGone(strays, 1000);
  return { how: 'already-exited', killed: strays, survivors };
}

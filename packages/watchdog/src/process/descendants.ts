/**
 * Finding every process that belongs to an agent, from /proc alone (no fork of `ps`): its tree
 * (each thread's /proc/PID/task/TID/children, a scan by ppid where the kernel lacks those
 * files), its process group, and the per-start token the launcher puts in the agent's
 * environment, which children inherit unless they clear it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { readOnce, text } from './proc-file.js';
import { hasEnvironEntry, readProcStat } from './proc-stat.js';

export interface ProcessIdentity {
  pid: number;
  startTicks: number;
  name: string;
}

/** The environment variable that marks every process of one agent start. */
export const INSTANCE_ENV = 'VIGIL_AGENT_INSTANCE';

/** No walk or scan lists more than this many processes (a fork bomb must not stall the watchdog). */
export const MAX_PROCESSES = 4096;

/** The exact environment entry a process of this start carries. */
export function instanceEntry(token: string): string {
  return `${INSTANCE_ENV}=${token}`;
}

export function identityOf(pid: number): ProcessIdentity | null {
  const stat = readProcStat(pid);
  if (!stat || stat.state === 'Z' || stat.state === 'X') return null;
  return { pid, startTicks: stat.startTicks, name: stat.comm };
}

let childrenFiles: boolean | undefined;

/** Whether this kernel has /proc/PID/task/TID/children (CONFIG_PROC_CHILDREN). */
export function hasChildrenFiles(): boolean {
  if (childrenFiles === undefined) {
    try {
      readFileSync(`/proc/${process.pid}/task/${process.pid}/children`);
      childrenFiles = true;
    } catch {
      childrenFiles = false;
    }
  }
  return childrenFiles;
}

/** Direct children of `pid`, over all its threads (a child belongs to the thread that forked it). */
export function childrenOf(pid: number): number[] {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const tid of tids) {
    const n = readOnce(`/proc/${pid}/task/${tid}/children`);
    if (n <= 0) continue;
    for (const part of text(n).split(' ')) {
      const child = Number(part);
      if (part !== '' && Number.isSafeInteger(child)) out.push(child);
    }
  }
  return out;
}

function numericEntries(): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  return entries.map(Number).filter((pid) => Number.isSafeInteger(pid) && pid > 0);
}

/** parent → children, from every /proc/PID/stat: the fallback when children files are absent. */
export function childrenByScan(): (pid: number) => number[] {
  const map = new Map<number, number[]>();
  for (const pid of numericEntries()) {
    const ppid = readProcStat(pid)?.ppid;
    if (ppid === undefined) continue;
    const list = map.get(ppid);
    if (list) list.push(pid);
    else map.set(ppid, [pid]);
  }
  return (pid) => map.get(pid) ?? [];
}

/**
 * Every live descendant of each of `roots` (the roots excluded), with start times so that a later
 * signal never hits a reused pid. A root must be the process it was: a reused pid has no
 * descendants of ours. At most `limit` processes.
 */
export function walkTree(roots: ProcessIdentity[], limit = MAX_PROCESSES): ProcessIdentity[] {
  const childrenOfPid = hasChildrenFiles() ? childrenOf : childrenByScan();
  const found = new Map<number, ProcessIdentity>();
  const skip = new Set(roots.map((r) => r.pid));
  const queue = roots.filter((r) => readProcStat(r.pid)?.startTicks === r.startTicks).map((r) => r.pid);
  while (queue.length && found.size < limit) {
    for (const child of childrenOfPid(queue.shift() as number)) {
      if (skip.has(child) || found.has(child)) continue;
      const id = identityOf(child);
      if (!id) continue;
      found.set(child, id);
      queue.push(child);
    }
  }
  return [...found.values()];
}

export interface ScanOptions {
  /** Members of this process group (the agent's pid: the group it was started in). */
  pgid?: number | undefined;
  /** Carriers of this exact environment entry. */
  entry?: string | undefined;
  /** And this entry too (a token read from a file proves little on its own). */
  alsoEntry?: string | undefined;
  /** Only processes that started at or after this tick (the agent's own start). */
  notBefore?: number | undefined;
}

/**
 * One pass over /proc for group members and token carriers, the watchdog itself excluded. It
 * yields to the event loop every few entries: a host with many processes must not stall it.
 */
export async function scanProc(options: ScanOptions): Promise<ProcessIdentity[]> {
  const out: ProcessIdentity[] = [];
  if (options.pgid === undefined && options.entry === undefined) return out;
  let read = 0;
  for (const pid of numericEntries()) {
    if (pid === process.pid) continue;
    if (++read % 128 === 0) await new Promise((resolve) => setImmediate(resolve));
    const stat = readProcStat(pid);
    if (!stat || stat.state === 'Z' || stat.state === 'X') continue;
    if (options.notBefore !== undefined && stat.startTicks < options.notBefore) continue;
    const inGroup = options.pgid !== undefined && stat.pgrp === options.pgid;
    const marked =
      !inGroup &&
      options.entry !== undefined &&
      hasEnvironEntry(pid, options.entry) &&
      (options.alsoEntry === undefined || hasEnvironEntry(pid, options.alsoEntry));
    if (inGroup || marked) out.push({ pid, startTicks: stat.startTicks, name: stat.comm });
    if (out.length >= MAX_PROCESSES) break;
  }
  return out;
}

/** Every live process whose environment carries exactly `INSTANCE_ENV=token`. */
export function findByInstance(token: string, exceptPid?: number): Promise<ProcessIdentity[]> {
  return scanProc({ entry: instanceEntry(token) }).then((found) => found.filter((p) => p.pid !== exceptPid));
}

/** Whether `pid` is `ancestor` or below it, following ppid links through /proc. */
export function isDescendantOf(pid: number, ancestor: number): boolean {
  let current = pid;
  for (let depth = 0; depth < 64 && current > 1; depth++) {
    if (current === ancestor) return true;
    const stat = readProcStat(current);
    if (!stat) return false;
    current = stat.ppid;
  }
  return current === ancestor;
}

/**
 * Finding every process that belongs to an agent: its tree (from ps-list, by parent pid), its
 * process group, and — for processes that escaped both by calling setsid and outliving their
 * parent — the per-start token the launcher puts in the agent's environment, which children
 * inherit.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { readProcStat } from './proc-stat.js';

export interface ProcessIdentity {
  pid: number;
  startTicks: number;
  name: string;
}

/** The environment variable that marks every process of one agent start. */
export const INSTANCE_ENV = 'VIGIL_AGENT_INSTANCE';

function identity(pid: number, name?: string): ProcessIdentity | null {
  const stat = readProcStat(pid);
  if (!stat || stat.state === 'Z' || stat.state === 'X') return null;
  return { pid, startTicks: stat.startTicks, name: name ?? stat.comm };
}

/**
 * Descendants of `rootPid` and members of its process group (the root excluded), with start
 * times so that a later kill never hits a reused pid. One ps-list call.
 */
export async function snapshotTree(rootPid: number): Promise<ProcessIdentity[]> {
  const processes = await (await import('ps-list')).default({ all: true });
  const children = new Map<number, number[]>();
  for (const p of processes) {
    const list = children.get(p.ppid);
    if (list) list.push(p.pid);
    else children.set(p.ppid, [p.pid]);
  }
  const found = new Map<number, ProcessIdentity>();
  const queue = [...(children.get(rootPid) ?? [])];
  while (queue.length) {
    const pid = queue.shift() as number;
    if (found.has(pid) || pid === rootPid) continue;
    const id = identity(pid);
    if (id) found.set(pid, id);
    queue.push(...(children.get(pid) ?? []));
  }
  for (const p of processes) {
    if (p.pid === rootPid || found.has(p.pid)) continue;
    if (readProcStat(p.pid)?.pgrp === rootPid) {
      const id = identity(p.pid, p.name);
      if (id) found.set(p.pid, id);
    }
  }
  return [...found.values()];
}

/** Every live process whose environment carries `INSTANCE_ENV=token` (same user, or root). */
export function findByInstance(token: string, exceptPid?: number): ProcessIdentity[] {
  const needle = `${INSTANCE_ENV}=${token}\0`;
  const out: ProcessIdentity[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid || pid === exceptPid) continue;
    let environ: string;
    try {
      environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
    } catch {
      continue;
    }
    if (!`${environ}\0`.includes(needle)) continue;
    const id = identity(pid);
    if (id) out.push(id);
  }
  return out;
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

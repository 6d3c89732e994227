/**
 * Reading /proc/PID/stat and /proc/PID/schedstat: process state, parent, process group and
 * start time (in clock ticks since boot: together with the pid it names one process for good,
 * so a reused pid is never mistaken for the agent), and scheduler times for starvation checks;
 * and the uid and environment entries that prove a process belongs to the agent.
 */
import { readFileSync } from 'node:fs';
import { readOnce, text as readText } from './proc-file.js';

export interface ProcStat {
  pid: number;
  comm: string;
  /** R running, S sleeping, D disk wait, T stopped, t traced, Z zombie, X dead. */
  state: string;
  ppid: number;
  pgrp: number;
  session: number;
  /** Start time in clock ticks after boot (field 22). */
  startTicks: number;
  /** User + system CPU time, in clock ticks. */
  cpuTicks: number;
  rssPages: number;
}

/** Parses a /proc/PID/stat line; comm may contain spaces and parentheses, so split at the last ')'. */
export function parseProcStat(line: string): ProcStat | null {
  const open = line.indexOf('(');
  const close = line.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const fields = line
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  // fields[0] is field 3 (state) of proc(5).
  const at = (n: number) => Number(fields[n - 3]);
  const pid = Number(line.slice(0, open).trim());
  if (!Number.isInteger(pid) || fields.length < 22) return null;
  return {
    pid,
    comm: line.slice(open + 1, close),
    state: fields[0] ?? '?',
    ppid: at(4),
    pgrp: at(5),
    session: at(6),
    startTicks: at(22),
    cpuTicks: at(14) + at(15),
    rssPages: at(24),
  };
}

/** One read of /proc/PID/stat (open, read, close: no stat call, no buffer of its own); null when gone. */
export function readProcStat(pid: number): ProcStat | null {
  const n = readOnce(`/proc/${pid}/stat`);
  return n <= 0 ? null : parseProcStat(readText(n, 'utf8'));
}

/** True when `pid` is alive (not a zombie) and, if given, started at `startTicks`. */
export function isSameProcessAlive(pid: number, startTicks?: number): boolean {
  const stat = readProcStat(pid);
  if (!stat || stat.state === 'Z' || stat.state === 'X') return false;
  return startTicks === undefined || stat.startTicks === startTicks;
}

export interface SchedStat {
  /** Time spent on the CPU, ns. */
  cpuNs: number;
  /** Time spent runnable but waiting for a CPU, ns. */
  waitNs: number;
}

export function readSchedStat(pid: number): SchedStat | null {
  const n = readOnce(`/proc/${pid}/schedstat`);
  if (n <= 0) return null;
  const [cpu, wait] = readText(n).trim().split(' ');
  return { cpuNs: Number(cpu), waitNs: Number(wait) };
}

export function readCmdline(pid: number): string[] | null {
  try {
    const parts = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    if (parts.at(-1) === '') parts.pop();
    return parts;
  } catch {
    return null;
  }
}

/** The real uid a process runs as (first field of `Uid:` in /proc/PID/status), or null when gone. */
export function readUid(pid: number): number | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'latin1');
  } catch {
    return null;
  }
  const match = /^Uid:\s+(\d+)/m.exec(text);
  return match ? Number(match[1]) : null;
}

/**
 * Whether the environment of `pid` holds exactly the entry `KEY=value` (entries are
 * NUL-separated; a longer key or value that merely contains it does not count).
 */
export function hasEnvironEntry(pid: number, entry: string): boolean {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/environ`, 'latin1');
  } catch {
    return false;
  }
  return `\0${text}${text.endsWith('\0') ? '' : '\0'}`.includes(`\0${entry}\0`);
}

/**
 * What the agent's processes use, read straight from /proc: CPU time and resident memory from
 * `/proc/PID/stat` (one read a process), and — only when it matters — how long its threads were
 * runnable but waiting for a CPU, from `/proc/PID/task/TID/schedstat`. No process is spawned:
 * ps-list forks `ps` for every listing and pidusage runs its own timers; at four samples a
 * second that was most of the watchdog's CPU with limits set.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { readProcStat } from '../process/proc-stat.js';

/** USER_HZ: the unit of utime/stime in /proc/PID/stat, 100 on every Linux this runs on. */
export const CLOCK_TICKS_PER_SECOND = 100;

let pageBytes: number | undefined;

/**
 * The page size, learnt without a spawn: this process's RSS in pages (/proc/self/stat) against
 * its RSS in bytes, rounded to a power of two (4 KiB on x86_64, 4, 16 or 64 KiB on arm64).
 */
export function pageSize(): number {
  if (pageBytes === undefined) {
    const pages = readProcStat(process.pid)?.rssPages ?? 0;
    const bytes = process.memoryUsage().rss;
    pageBytes = pages > 0 ? 2 ** Math.round(Math.log2(bytes / pages)) : 4096;
  }
  return pageBytes;
}

export interface ProcessUsage {
  pid: number;
  startTicks: number;
  cpuTicks: number;
  rssBytes: number;
}

/** One /proc/PID/stat read; null when the process is gone. */
export function readUsage(pid: number): ProcessUsage | null {
  const stat = readProcStat(pid);
  if (!stat || stat.state === 'Z' || stat.state === 'X') return null;
  return { pid, startTicks: stat.startTicks, cpuTicks: stat.cpuTicks, rssBytes: stat.rssPages * pageSize() };
}

export interface ThreadTimes {
  /** ns on a CPU so far. */
  ranNs: number;
  /** ns runnable but waiting for a CPU so far. */
  waitedNs: number;
}

/** The scheduler's times of every thread of `pid`, by thread id; null when the process is gone. */
export function readThreadTimes(pid: number): Map<string, ThreadTimes> | null {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return null;
  }
  const out = new Map<string, ThreadTimes>();
  for (const tid of tids) {
    try {
      const [ran, waited] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'latin1').split(' ');
      out.set(tid, { ranNs: Number(ran) || 0, waitedNs: Number(waited) || 0 });
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return out;
}

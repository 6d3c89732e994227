/**
 * What the agent's processes use, read straight from /proc: CPU time and resident memory from
 * `/proc/PID/stat`, and — only when it matters — how long its threads were runnable but waiting
 * for a CPU, from `/proc/PID/task/TID/schedstat`. The sampler holds each process's stat file
 * open (process/proc-file.ts), so a sample is one pread a process into a shared buffer, and
 * parses only the fields it needs.
 *
 * No process is spawned and no library polls: ps-list forks `ps` for every listing and pidusage
 * runs its own timers; at four samples a second that was most of the watchdog's CPU with limits
 * set. The stat line is parsed byte by byte in the shared buffer: at a sample every 250 ms every
 * read finds the caches cold, and there (measured under the daemon's --lite-mode) that loop
 * costs a third of a toString and split of the line.
 */
import { readdirSync } from 'node:fs';
import { type ProcFile, readBytes, readOnce, text } from '../process/proc-file.js';
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

/** The fields of a stat line the sampler uses. */
export interface StatFields {
  /** R running, S sleeping, D disk wait, T stopped, t traced, Z zombie, X dead. */
  state: string;
  ppid: number;
  /** User + system CPU time, in clock ticks. */
  cpuTicks: number;
  threads: number;
  /** Start time in clock ticks after boot: with the pid, it names one process for good. */
  startTicks: number;
  rssPages: number;
}

/**
 * Parses the `n` bytes of a stat line just read (proc-file.ts's buffer) in place, up to field 24:
 * no string but the one-letter state. comm may hold spaces and parentheses, so the fields start
 * after the last ')'.
 */
export function parseStatRead(n: number): StatFields | null {
  const buf = readBytes();
  let i = n - 1;
  while (i > 0 && buf[i] !== 0x29) i--;
  // ") S 1234 ...": the state (field 3) two bytes on, then field 4 from two bytes after it.
  if (i <= 0 || i + 4 >= n) return null;
  const state = String.fromCharCode(buf[i + 2] as number);
  let field = 4;
  let value = 0;
  let ppid = 0;
  let cpuTicks = 0;
  let threads = 0;
  let startTicks = 0;
  for (i += 4; i < n; i++) {
    const c = buf[i] as number;
    if (c !== 0x20) {
      // Digits only in the fields kept; field 4 to 24 are all unsigned except 18, 19 (priority, nice).
      value = value * 10 + c - 0x30;
      continue;
    }
    if (field === 4) ppid = value;
    else if (field === 14 || field === 15) cpuTicks += value;
    else if (field === 20) threads = value;
    else if (field === 22) startTicks = value;
    field++;
    value = 0;
    if (field === 24) break;
  }
  if (field !== 24) return null;
  // Field 24 (rss) runs to the next space.
  for (i++; i < n; i++) {
    const c = buf[i] as number;
    if (c === 0x20) break;
    value = value * 10 + c - 0x30;
  }
  return { state, ppid, cpuTicks, threads, startTicks, rssPages: value };
}

/** A stat file held open: its fields, or null when the process is gone or unreadable. */
export function readStatFile(file: ProcFile): StatFields | null {
  const n = file.read();
  return n <= 0 ? null : parseStatRead(n);
}

/** The usage in `stat`; null for a zombie, or when it could not be read. */
export function usageFrom(pid: number, stat: StatFields | null): ProcessUsage | null {
  if (!stat || stat.state === 'Z' || stat.state === 'X') return null;
  return { pid, startTicks: stat.startTicks, cpuTicks: stat.cpuTicks, rssBytes: stat.rssPages * pageSize() };
}

/** One read of /proc/PID/stat by path (open, read, close); null when the process is gone. */
export function readUsage(pid: number): ProcessUsage | null {
  const n = readOnce(`/proc/${pid}/stat`);
  return n <= 0 ? null : usageFrom(pid, parseStatRead(n));
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
    // A thread that ended between the listing and the read is left out.
    const n = readOnce(`/proc/${pid}/task/${tid}/schedstat`);
    if (n <= 0) continue;
    const line = text(n);
    const space = line.indexOf(' ');
    const ran = Number(line.slice(0, space));
    const waited = Number(line.slice(space + 1, line.indexOf(' ', space + 1)));
    out.set(tid, { ranNs: ran || 0, waitedNs: waited || 0 });
  }
  return out;
}

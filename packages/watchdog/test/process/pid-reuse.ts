// Giving a new process a pid that was just freed, for tests of what happens when a pid is reused:
// /proc/sys/kernel/ns_last_pid is set just below it before the spawn (root in the pid namespace).
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { readProcStat } from '../../src/process/proc-stat.ts';

const NS_LAST_PID = '/proc/sys/kernel/ns_last_pid';

/** Whether this process may choose the next pid. */
export function canChoosePid(): boolean {
  try {
    // Writing back what it holds changes nothing, and tells whether it may be written.
    writeFileSync(NS_LAST_PID, readFileSync(NS_LAST_PID, 'utf8').trim());
    return true;
  } catch {
    return false;
  }
}

/**
 * `tail -f /dev/null` at exactly `pid` (told by its name from the process it replaces), or null
 * when another process on the host took the pid first and holds it: the caller starts over
 * with another one. `started` collects every child spawned, for the cleanup.
 */
export async function tailAt(pid: number, started: ChildProcess[]): Promise<ChildProcess | null> {
  for (let attempt = 0; attempt < 50; attempt++) {
    if (readProcStat(pid) !== null) return null;
    writeFileSync(NS_LAST_PID, String(pid - 1));
    const child = spawn('tail', ['-f', '/dev/null'], { stdio: 'ignore' });
    started.push(child);
    await once(child, 'spawn');
    if (child.pid === pid) return child;
    child.kill('SIGKILL');
  }
  return null;
}

/** Runs `scenario` until it got its pid reused (`tailAt` not null), at most `times` times. */
export async function withReusedPid(times: number, scenario: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < times; i++) if (await scenario()) return;
  throw new Error(`no freed pid could be given to a new process in ${times} tries`);
}

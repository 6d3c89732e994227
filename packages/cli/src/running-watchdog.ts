/**
 * The watchdog running for a home, proven before anything is said or signalled: the home's lock
 * (`run/watchdog.lock`, written by the watchdog itself) names its pid and start time, /proc must
 * show that very process still alive, and its command line must be `vigil run` or `vigil-watchdog`. A lock whose
 * owner is gone is stale: nothing runs. One whose pid is now something else is never signalled.
 */
import { basename } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { printable, type VigilPaths } from '@vigil/shared/core';
import {
  guardedSignal,
  isSameProcessAlive,
  readCmdline,
  readLockOwner,
  readProcStat,
} from '@vigil/watchdog/process';
import { CliExit, EXIT } from './exit-codes.js';
import { formatDuration } from './format.js';

export type WatchdogLookup =
  | { state: 'running'; pid: number; startTicks: number }
  /** No lock, or a stale one (`stale` says whose). */
  | { state: 'absent'; stale?: string }
  /** The lock names a live process that is not provably a watchdog: never signalled. */
  | { state: 'unproven'; pid: number; reason: string };

/**
 * A watchdog's argv: `… vigil.js run …` (or the `vigil` launcher, or `vigil.ts` under tsx), or
 * the daemon's own `vigil-watchdog` program with any options.
 */
export function isWatchdogCommandLine(argv: readonly string[]): boolean {
  return argv.some((arg, i) => {
    const name = basename(arg);
    if (/^vigil-watchdog(\.[cm]?[jt]s)?$/.test(name)) return true;
    return /^vigil(\.[cm]?[jt]s)?$/.test(name) && argv[i + 1] === 'run';
  });
}

export function findWatchdog(paths: VigilPaths): WatchdogLookup {
  const owner = readLockOwner(paths.lockFile);
  if (!owner) return { state: 'absent' };
  const { pid, startTicks } = owner;
  const stat = readProcStat(pid);
  if (!stat || !isSameProcessAlive(pid, startTicks)) {
    const now = stat && stat.startTicks !== startTicks ? '; that pid is another process now' : '';
    return { state: 'absent', stale: `the lock names pid ${pid}, which has exited${now}` };
  }
  const argv = readCmdline(pid) ?? [];
  if (!isWatchdogCommandLine(argv)) {
    const shown = printable(argv.join(' ')).slice(0, 200) || '(unreadable)';
    return {
      state: 'unproven',
      pid,
      reason: `the lock ${paths.lockFile} names pid ${pid}, which runs "${shown}", not \`vigil run\``,
    };
  }
  return { state: 'running', pid, startTicks };
}

export type StopOutcome =
  | { kind: 'stopped'; pid: number; tookMs: number }
  | { kind: 'not-running'; stale?: string | undefined };

/**
 * Stops the home's watchdog gracefully (SIGTERM: it stops the agent, then itself) and waits
 * until it is gone. Refusals and a watchdog still running at the deadline are CliExit(1).
 */
export async function stopWatchdog(
  paths: VigilPaths,
  timeoutMs: number,
  command: string,
): Promise<StopOutcome> {
  const found = findWatchdog(paths);
  if (found.state === 'absent') return { kind: 'not-running', stale: found.stale };
  if (found.state === 'unproven') {
    throw new CliExit(
      EXIT.warning,
      `vigil ${command}: refusing to signal: ${found.reason}\n  hint: if no watchdog runs for this home, remove ${paths.lockFile}`,
    );
  }
  const target = { pid: found.pid, startTicks: found.startTicks };
  const started = performance.now();
  const sent = guardedSignal(target, 'SIGTERM');
  if (sent.outcome === 'gone') return { kind: 'not-running', stale: sent.reason };
  if (sent.outcome === 'refused') {
    throw new CliExit(EXIT.warning, `vigil ${command}: refusing to signal the watchdog: ${sent.reason}`);
  }
  // A stopped process (SIGSTOP, job control) acts on SIGTERM only once continued.
  if (readProcStat(target.pid)?.state === 'T') guardedSignal(target, 'SIGCONT');
  while (isSameProcessAlive(target.pid, target.startTicks)) {
    if (performance.now() - started > timeoutMs) {
      throw new CliExit(
        EXIT.warning,
        `vigil ${command}: the watchdog (pid ${target.pid}) is still running ${formatDuration(timeoutMs)} after SIGTERM\n  hint: its log (vigil logs --unit watchdog) says what it is waiting for; --timeout waits longer`,
      );
    }
    await sleep(50);
  }
  return { kind: 'stopped', pid: target.pid, tookMs: performance.now() - started };
}

/** The embedded paths for start/stop/restart; under systemd the units own the watchdog. */
export function refuseUnderSystemd(paths: VigilPaths, command: string): void {
  if (paths.mode !== 'embedded') {
    const verb = command === 'restart' ? 'restart' : command === 'stop' ? 'stop' : 'start';
    throw new CliExit(
      EXIT.warning,
      `vigil ${command}: VIGIL_MODE=systemd: the units own the watchdog; use \`systemctl ${verb} vigil-watchdog\``,
    );
  }
}

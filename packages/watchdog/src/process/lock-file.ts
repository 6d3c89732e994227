/**
 * One watchdog per VIGIL_HOME: `run/watchdog.lock` is created exclusively and names the owner
 * (pid + start time). A lock whose owner is dead, or whose pid now belongs to another process,
 * is stale and taken over; a live owner makes the second watchdog refuse, naming it.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { watchdogErrors } from '../errors.js';
import { isSameProcessAlive, readProcStat } from './proc-stat.js';

interface LockOwner {
  pid: number;
  startTicks: number;
}

function readOwner(path: string): LockOwner | null {
  try {
    const owner = JSON.parse(readFileSync(path, 'utf8')) as LockOwner;
    return Number.isInteger(owner.pid) ? owner : null;
  } catch {
    return null;
  }
}

function tryCreate(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  const self = readProcStat(process.pid);
  writeSync(fd, JSON.stringify({ pid: process.pid, startTicks: self?.startTicks ?? 0 }));
  closeSync(fd);
  return true;
}

export interface Lock {
  release(): void;
}

export function acquireLock(path: string): Lock {
  for (let attempt = 0; attempt < 3; attempt++) {
    if (tryCreate(path)) {
      return {
        release() {
          if (readOwner(path)?.pid === process.pid) rmSync(path, { force: true });
        },
      };
    }
    const owner = readOwner(path);
    if (owner && owner.pid !== process.pid && isSameProcessAlive(owner.pid, owner.startTicks)) {
      throw watchdogErrors.create(
        'VIGIL_WATCHDOG_RUNNING',
        `another watchdog (pid ${owner.pid}) is already running for this directory (lock ${path})`,
        { detail: { pid: owner.pid, lock: path } },
      );
    }
    // Stale (owner dead, pid reused, or unreadable): remove and try again.
    rmSync(path, { force: true });
  }
  throw watchdogErrors.create('VIGIL_WATCHDOG_RUNNING', `could not take the lock ${path}`);
}

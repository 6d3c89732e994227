/**
 * One watchdog per VIGIL_HOME: `run/watchdog.lock` names its owner (pid + start time) and is
 * held for the watchdog's lifetime. The owner is written to a fresh temp file first and then
 * link(2)ed to the lock name, so the lock never exists without its content: an empty or
 * half-written lock is never a live owner's. A live owner makes the second watchdog refuse,
 * naming it. A stale lock (dead owner, reused pid, not a lock at all) is taken over one
 * watchdog at a time, renamed aside and removed only once the inode moved is the one judged
 * stale; otherwise it is put back.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  fstatSync,
  linkSync,
  lstatSync,
  openSync,
  readSync,
  renameSync,
  unlinkSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { type PlantedLinkReporter, sharedErrors, writeFileAtomic } from '@vigil/shared';
import { watchdogErrors } from '../errors.js';
import { isSameProcessAlive, readProcStat } from './proc-stat.js';

const { O_RDONLY, O_NOFOLLOW, O_NONBLOCK } = constants;
const MAX_LOCK_BYTES = 4096;

export interface LockOwner {
  pid: number;
  startTicks: number;
}

/** What sits at the lock name: its identity (to verify a takeover) and its owner, if it names one. */
export interface LockSeen {
  dev: number;
  ino: number;
  owner: LockOwner | null;
}

export interface Lock {
  release(): void;
}

/** Locks this process holds, so a second acquire in the same process is refused, not stolen. */
const held = new Set<string>();

function errno(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException).code;
}

function parseOwner(text: string): LockOwner | null {
  try {
    const owner = JSON.parse(text) as Partial<LockOwner>;
    return Number.isInteger(owner.pid) && Number.isInteger(owner.startTicks) ? (owner as LockOwner) : null;
  } catch {
    return null;
  }
}

/** Reads the lock without following a link or blocking on a FIFO; null when nothing is there. */
function look(path: string): LockSeen | null {
  let st: ReturnType<typeof lstatSync>;
  try {
    st = lstatSync(path);
  } catch (error) {
    if (errno(error) === 'ENOENT') return null;
    throw refusedUnreadable(path, error);
  }
  if (st.isDirectory()) {
    throw sharedErrors.create('VIGIL_PATH_UNSAFE', `the watchdog lock ${path} is a folder`, {
      hint: `Nothing vigil makes is a folder there; move it away (mv ${path} ${path}.moved) and start again.`,
      detail: { path },
    });
  }
  if (!st.isFile()) return { dev: st.dev, ino: st.ino, owner: null };
  let fd: number;
  try {
    fd = openSync(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (error) {
    if (errno(error) === 'ENOENT') return null;
    throw refusedUnreadable(path, error);
  }
  try {
    const fst = fstatSync(fd);
    const buffer = Buffer.alloc(MAX_LOCK_BYTES);
    const n = fst.isFile() ? readSync(fd, buffer, 0, buffer.length, 0) : 0;
    return { dev: fst.dev, ino: fst.ino, owner: parseOwner(buffer.subarray(0, n).toString('utf8')) };
  } finally {
    closeSync(fd);
  }
}

/** The owner the lock names (pid + start time), or null when there is no lock or it names none. */
export function readLockOwner(path: string): LockOwner | null {
  return look(path)?.owner ?? null;
}

function refusedUnreadable(path: string, cause: unknown) {
  return watchdogErrors.create(
    'VIGIL_WATCHDOG_RUNNING',
    `cannot read the watchdog lock ${path} (${(cause as Error).message}); another watchdog may hold it`,
    {
      cause,
      hint: `Check who owns ${path} (ls -l ${path}); if no watchdog runs for this directory, remove it.`,
      detail: { lock: path },
    },
  );
}

/**
 * The same lock: inode and owner. An inode number is reused once its file is gone, but a live
 * owner's lock never names the dead owner of the stale one it replaced.
 */
function sameLock(a: LockSeen | null, b: LockSeen): boolean {
  return (
    a !== null &&
    a.dev === b.dev &&
    a.ino === b.ino &&
    a.owner?.pid === b.owner?.pid &&
    a.owner?.startTicks === b.owner?.startTicks
  );
}

function ownerAlive(owner: LockOwner | null, path: string): boolean {
  if (!owner) return false;
  if (owner.pid === process.pid) return held.has(path);
  return isSameProcessAlive(owner.pid, owner.startTicks);
}

/**
 * Moves a stale lock out of the way: renamed aside, and removed only if the inode moved is the
 * one judged stale; a lock that replaced it meanwhile is put back (link(2) never replaces, so
 * a lock that appeared at the name since then stands). Returns whether the name was freed.
 */
export function moveAsideIfSame(path: string, judged: LockSeen): boolean {
  const aside = join(
    dirname(path),
    `.${basename(path)}.stale-${process.pid}-${randomBytes(4).toString('hex')}`,
  );
  try {
    renameSync(path, aside);
  } catch (error) {
    if (errno(error) === 'ENOENT') return true;
    throw error;
  }
  if (sameLock(look(aside), judged)) {
    unlinkSync(aside);
    return true;
  }
  try {
    linkSync(aside, path);
  } catch (error) {
    if (errno(error) !== 'EEXIST') throw error;
  }
  unlinkSync(aside);
  return false;
}

/** Sleeps the thread (the lock is taken once, at start, before the event loop has work). */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Takes a stale lock over. Takeovers are serialised by a second lock, `.watchdog.lock.takeover`
 * (linked from the same owner file), so two watchdogs never both judge and move the same stale
 * lock — the second would move the first one's fresh lock. Returns false when another watchdog
 * is taking over right now (the caller looks again).
 */
function takeOver(path: string, ownerFile: string, report: PlantedLinkReporter | undefined): boolean {
  const mutex = join(dirname(path), `.${basename(path)}.takeover`);
  try {
    linkSync(ownerFile, mutex);
  } catch (error) {
    if (errno(error) !== 'EEXIST') throw error;
    const holder = look(mutex);
    // Its holder died mid-takeover: that mutex is stale in turn.
    if (holder && !ownerAlive(holder.owner, mutex)) moveAsideIfSame(mutex, holder);
    return false;
  }
  try {
    const seen = look(path);
    if (seen === null || ownerAlive(seen.owner, path)) return true;
    if (moveAsideIfSame(path, seen))
      report?.warn({ lock: path, owner: seen.owner }, 'took over a stale watchdog lock');
    return true;
  } finally {
    try {
      unlinkSync(mutex);
    } catch {
      // Gone with the run folder.
    }
  }
}

export interface AcquireLockOptions {
  /** Told when a stale lock is taken over. */
  report?: PlantedLinkReporter | undefined;
}

export function acquireLock(path: string, options: AcquireLockOptions = {}): Lock {
  const self: LockOwner = { pid: process.pid, startTicks: readProcStat(process.pid)?.startTicks ?? 0 };
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.new`);
  // writeFileAtomic's O_EXCL temp file and rename give a complete file at `tmp` to link from.
  writeFileAtomic(tmp, JSON.stringify(self), { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 50; attempt++) {
      try {
        linkSync(tmp, path);
      } catch (error) {
        if (errno(error) !== 'EEXIST') throw error;
        const seen = look(path);
        if (seen === null) continue;
        if (ownerAlive(seen.owner, path)) {
          const pid = seen.owner?.pid as number;
          throw watchdogErrors.create(
            'VIGIL_WATCHDOG_RUNNING',
            `another watchdog (pid ${pid}) is already running for this directory (lock ${path})`,
            { detail: { pid, lock: path } },
          );
        }
        if (!takeOver(path, tmp, options.report)) pause(10);
        continue;
      }
      const mine = look(path) as LockSeen;
      held.add(path);
      return {
        release() {
          if (!held.delete(path)) return;
          // Only our own lock goes: never one a later watchdog took over after we lost it.
          try {
            if (sameLock(look(path), mine)) unlinkSync(path);
          } catch {
            // Already gone (the run folder was removed).
          }
        },
      };
    }
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      // Never created, or already gone.
    }
  }
  throw watchdogErrors.create(
    'VIGIL_WATCHDOG_RUNNING',
    `could not take the lock ${path}: it keeps changing (watchdogs starting at the same time?)`,
  );
}

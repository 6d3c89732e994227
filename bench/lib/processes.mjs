/**
 * Every process the benchmark starts, and their cleanup. Each one is started with a clean
 * environment carrying the run's tag (VIGIL_BENCH_RUN=<id>), which every descendant inherits
 * (the monit start script sets it explicitly), so a sweep finds them all in /proc — daemons
 * that double-forked included — and kills them by pid and process group, then checks that none
 * is left.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isAlive, pidsWithEnv, readStat } from './proc.mjs';
import { waitFor } from './wait-for.mjs';

export const TAG_NAME = 'VIGIL_BENCH_RUN';

export class ProcessKeeper {
  /** @param {string} tag unique to this run; a trial's keeper (`scoped`) extends it. */
  constructor(tag, root = null) {
    this.tag = tag;
    this.root = root;
    /** pid → process group, for everything spawned directly (each leads its own group). */
    this.groups = new Map();
  }

  /** A keeper for one trial: its sweep leaves other trials running in parallel alone. */
  scoped(name) {
    return new ProcessKeeper(`${this.tag}.${name}`, this.root ?? this);
  }

  #register(pid) {
    if (!pid) return;
    this.groups.set(pid, pid);
    this.root?.groups.set(pid, pid);
  }

  #forget(pid) {
    this.groups.delete(pid);
    this.root?.groups.delete(pid);
  }

  /**
   * PATH, HOME and the tag, plus `extra`: no NODE_OPTIONS, NODE_EXTRA_CA_CERTS or the like,
   * which cost every Node start tens of milliseconds.
   */
  env(extra = {}) {
    return {
      PATH: `${dirname(process.execPath)}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
      HOME: process.env.HOME ?? '/root',
      [TAG_NAME]: this.tag,
      ...extra,
    };
  }

  /** A long-running process in its own process group, output appended to `logFile`. */
  spawn(command, args, { env, cwd, logFile }) {
    const fd = openSync(logFile, 'a');
    try {
      const child = spawn(command, args, { env, cwd, detached: true, stdio: ['ignore', fd, fd] });
      child.on('error', () => {});
      this.#register(child.pid);
      child.once('exit', () => this.#forget(child.pid));
      return child;
    } finally {
      closeSync(fd);
    }
  }

  /** A command that should finish: its output, exit code, and a kill of its group at the deadline. */
  run(command, args, { env, cwd, timeoutMs = 30_000 } = {}) {
    return new Promise((resolve) => {
      const child = spawn(command, args, { env, cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => {
        stdout += d;
      });
      child.stderr.on('data', (d) => {
        stderr += d;
      });
      this.#register(child.pid);
      const timer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), timeoutMs);
      child.on('error', (error) => {
        clearTimeout(timer);
        resolve({ code: null, stdout, stderr: `${stderr}${error.message}`, timedOut: false });
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        this.#forget(child.pid);
        resolve({ code, signal, stdout, stderr, timedOut: signal === 'SIGKILL' });
      });
    });
  }

  /** Pids of this run still alive (tagged in /proc, or spawned directly and not yet exited). */
  survivors() {
    const pids = new Set(pidsWithEnv(TAG_NAME, this.tag));
    for (const pid of this.groups.keys()) if (isAlive(pid)) pids.add(pid);
    return [...pids];
  }

  /** SIGCONT every process of the run, so one left stopped can act on a graceful stop. */
  continueAll() {
    for (const pid of this.survivors()) signal(pid, 'SIGCONT');
  }

  /** SIGKILL every process (and process group) of the run; resolves with what was still there. */
  async sweep(timeoutMs = 5000) {
    const found = this.killAllNow();
    const deadline = Date.now() + timeoutMs;
    let left = this.survivors();
    while (left.length && Date.now() < deadline) {
      await sleep(20);
      for (const pid of left) signal(pid, 'SIGKILL');
      left = this.survivors();
    }
    if (left.length) {
      const names = left.map((pid) => `${pid} (${readStat(pid)?.comm ?? '?'})`).join(', ');
      throw new Error(`processes of this run survived SIGKILL: ${names}`);
    }
    return found;
  }

  /** Synchronous, for Ctrl-C and crashes: one SIGKILL to every group and pid of the run. */
  killAllNow() {
    const found = this.survivors();
    for (const pgid of this.groups.values()) killGroup(pgid, 'SIGKILL');
    for (const pid of found) {
      const pgrp = readStat(pid)?.pgrp;
      // Only groups led by a process of this run: never a group the harness itself is in.
      if (pgrp && pgrp !== process.pid && found.includes(pgrp)) killGroup(pgrp, 'SIGKILL');
      signal(pid, 'SIGKILL');
    }
    return found;
  }
}

export function signal(pid, name) {
  try {
    process.kill(pid, name);
    return true;
  } catch {
    return false;
  }
}

export function killGroup(pgid, name) {
  if (!pgid) return false;
  try {
    process.kill(-pgid, name);
    return true;
  } catch {
    return false;
  }
}

/**
 * Stops a supervisor the run spawned as a child: SIGTERM, up to `timeoutMs` for it to exit, then
 * SIGKILL. Resolves once it has exited.
 */
export async function stopChild(child, { timeoutMs, what }) {
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  if (gone()) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  signal(child.pid, 'SIGTERM');
  await waitFor(gone, { timeoutMs, what }).catch(() => signal(child.pid, 'SIGKILL'));
  await exited;
}

/**
 * A cgroup v2 of a test's own, directly below this host's cgroup2 mount, so that a test can
 * have a process's cgroup empty on cue as a unit's does under systemd. Null where none can be
 * made or entered (not root, no cgroup2, a read-only mount, a delegation that forbids it).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmdirSync, statfsSync, writeFileSync } from 'node:fs';
import { CGROUP2_MOUNTS, CGROUP2_SUPER_MAGIC } from '../../src/process/cgroup-events.ts';

export interface TestCgroup {
  /** The cgroup2 mount it is below. */
  mount: string;
  /** Its path as /proc/PID/cgroup names it (`/vigil-test-…`). */
  path: string;
  dir: string;
  /** Moves a process into it. */
  add(pid: number): void;
  pids(): number[];
  /** Kills what is left in it and removes it. */
  remove(): void;
}

function isCgroup2(path: string): boolean {
  try {
    return statfsSync(path).type === CGROUP2_SUPER_MAGIC;
  } catch {
    return false;
  }
}

function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export function testCgroup(name: string): TestCgroup | null {
  const mount = CGROUP2_MOUNTS.find(isCgroup2);
  if (mount === undefined || process.getuid?.() !== 0) return null;
  const path = `/vigil-test-${process.pid}-${name}`;
  const dir = `${mount}${path}`;
  try {
    mkdirSync(dir);
  } catch {
    return null;
  }
  const cgroup: TestCgroup = {
    mount,
    path,
    dir,
    add: (pid) => writeFileSync(`${dir}/cgroup.procs`, String(pid)),
    pids: () => readFileSync(`${dir}/cgroup.procs`, 'utf8').split('\n').filter(Boolean).map(Number),
    remove: () => {
      for (let i = 0; i < 200; i++) {
        try {
          rmdirSync(dir);
          return;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        }
        for (const pid of cgroup.pids()) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // gone already
          }
        }
        pause(10);
      }
    },
  };
  // Entering it must work too, or it is no use.
  const probe = spawn('sleep', ['60'], { stdio: 'ignore' });
  try {
    cgroup.add(probe.pid as number);
  } catch {
    probe.kill('SIGKILL');
    cgroup.remove();
    return null;
  }
  probe.kill('SIGKILL');
  return cgroup;
}

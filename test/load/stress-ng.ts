/**
 * stress-ng as a child in its own process group, so stopping it takes every worker it forked.
 * Each run also carries stress-ng's own --timeout, so a load outlives this process by at most
 * that long even if we are killed with SIGKILL; every live run is stopped on exit and SIGINT.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';

const running = new Set<StressNg>();

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // gone
  }
}

process.once('exit', () => {
  for (const run of running) killGroup(run.pid, 'SIGKILL');
});

export function stressNgAvailable(): boolean {
  return spawnSync('stress-ng', ['--version'], { stdio: 'ignore' }).status === 0;
}

export class StressNg {
  readonly args: string[];
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  #output = '';

  constructor(args: string[]) {
    this.args = args;
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  get output(): string {
    return this.#output;
  }

  /** Starts it; `safetySeconds` is stress-ng's own --timeout, a backstop for a killed test. */
  start(safetySeconds: number, cwd: string): this {
    const child = spawn('stress-ng', [...this.args, '--timeout', `${Math.ceil(safetySeconds)}s`], {
      cwd,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (d) => {
      this.#output = (this.#output + d).slice(-4000);
    });
    child.stderr?.on('data', (d) => {
      this.#output = (this.#output + d).slice(-4000);
    });
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.once('error', (error) => {
      this.#output += `\n${error.message}`;
    });
    this.#child = child;
    running.add(this);
    return this;
  }

  get alive(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** SIGTERM to the whole group, SIGKILL after `graceMs`; resolves once stress-ng has exited. */
  async stop(graceMs = 5000): Promise<void> {
    const pid = this.#child?.pid;
    if (this.alive) {
      killGroup(pid, 'SIGTERM');
      const timer = setTimeout(() => killGroup(pid, 'SIGKILL'), graceMs);
      await this.#exited;
      clearTimeout(timer);
    }
    // Workers that outlived their parent are still in the group.
    killGroup(pid, 'SIGKILL');
    running.delete(this);
  }
}

/** Stops every stress-ng this process started (for `after` hooks and signal handlers). */
export async function stopAllStress(): Promise<void> {
  await Promise.all([...running].map((run) => run.stop(2000)));
}

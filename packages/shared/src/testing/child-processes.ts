/**
 * Child processes a test spawns, tracked so an `after` hook can kill every one of them, even
 * when the test failed half-way.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';

export interface SpawnedChild {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code (or the signal name) once the child has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export class ChildProcesses {
  readonly #children: ChildProcess[] = [];

  spawn(file: string, env: Record<string, string>, nodeArgs: string[] = []): SpawnedChild {
    const child = spawn(process.execPath, [...nodeArgs, file], {
      env: { ...process.env, VIGIL_LOG_LEVEL: 'debug', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#children.push(child);
    let out = '';
    let err = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    const exited = once(child, 'exit').then(([code, signal]) => ({
      code: code as number | null,
      signal: signal as NodeJS.Signals | null,
    }));
    return { child, stdout: () => out, stderr: () => err, exited };
  }

  /** SIGKILLs every child still running and waits for each to be gone. */
  async killAll(): Promise<void> {
    await Promise.all(
      this.#children.map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const gone = once(child, 'exit');
        child.kill('SIGKILL');
        await gone;
      }),
    );
  }
}

/** The JSON lines a child printed on stdout. */
export function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        return {};
      }
    });
}

/**
 * A throwaway VIGIL_HOME with pino-style log lines, and `vigil logs` run from the built CLI as a
 * child process (`node packages/cli/dist/bin/vigil.js logs …`), as an operator would.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const VIGIL_BIN = fileURLToPath(new URL('../../../dist/bin/vigil.js', import.meta.url));
export const T0 = Date.parse('2026-11-23T10:00:00.000Z');

export interface LogHome {
  home: string;
  watchdogLog: string;
  agentLog: string;
  historyFile: string;
  remove(): void;
}

export function makeLogHome(): LogHome {
  const home = mkdtempSync(join(tmpdir(), 'vigil-logs-'));
  mkdirSync(join(home, 'log'));
  mkdirSync(join(home, 'state'));
  return {
    home,
    watchdogLog: join(home, 'log', 'watchdog.log'),
    agentLog: join(home, 'log', 'agent.log'),
    historyFile: join(home, 'state', 'history.jsonl'),
    remove: () => rmSync(home, { recursive: true, force: true }),
  };
}

const LEVEL_NAMES: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

/** One line as the shared logger writes it. */
export function pinoLine(
  component: 'watchdog' | 'agent',
  time: number,
  msg: string,
  extra: Record<string, unknown> = {},
  level = 30,
): string {
  return `${JSON.stringify({ level, levelName: LEVEL_NAMES[level], time, component, pid: 4242, msg, ...extra })}\n`;
}

export function append(path: string, text: string): void {
  appendFileSync(path, text);
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete base.FORCE_COLOR;
  delete base.VIGIL_MODE;
  delete base.VIGIL_CONFIG;
  return { ...base, ...env };
}

/** Runs `vigil logs ARGS` to completion. */
export function runLogs(args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [VIGIL_BIN, 'logs', ...args],
      { env: childEnv(env), maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? ((error as { code?: unknown }).code as number) : 0;
        resolve({ code: typeof code === 'number' ? code : -1, stdout, stderr });
      },
    );
  });
}

/** The JSON lines printed by `--json`, parsed. */
export function records(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

export interface Follower {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** The messages printed so far, in order (`--json` output). */
  messages: () => string[];
  /** Waits (with a deadline) until `msg` has been printed. */
  waitFor: (predicate: (messages: string[]) => boolean, what: string, timeoutMs?: number) => Promise<void>;
  exited: Promise<number | null>;
  kill: () => Promise<void>;
}

/** Starts `vigil logs --json ARGS` (e.g. with -f) and collects what it prints. */
export function spawnLogs(args: string[], env: Record<string, string>): Follower {
  const child = spawn(process.execPath, [VIGIL_BIN, 'logs', '--json', ...args], {
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const messages = (): string[] =>
    out
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => String((JSON.parse(line) as { msg: unknown }).msg));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    messages,
    exited,
    async waitFor(predicate, what, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(messages())) {
        if (child.exitCode !== null)
          throw new Error(`vigil logs exited (${child.exitCode}) before ${what}: ${err}`);
        if (Date.now() > deadline) {
          throw new Error(
            `timed out after ${timeoutMs} ms waiting for ${what}; printed: ${out}; stderr: ${err}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}

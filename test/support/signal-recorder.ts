/**
 * A live process that is not the agent and writes down every catchable signal it receives, for
 * tests that prove the watchdog never signals what it cannot prove is its agent. SIGKILL cannot
 * be caught: that one shows as the process being gone.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '@vigil/shared/testing';

const RECORDED = ['SIGUSR1', 'SIGUSR2', 'SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGCONT', 'SIGWINCH'];

const SCRIPT = `
  const fs = require('node:fs');
  const file = process.argv[1];
  for (const s of ${JSON.stringify(RECORDED)}) process.on(s, () => fs.appendFileSync(file, s + '\\n'));
  fs.writeFileSync(file + '.ready', '');
  setInterval(() => {}, 1 << 30);
`;

export interface SignalRecorder {
  pid: number;
  /** Signals received so far, in order. */
  signals(): string[];
  kill(): void;
}

/** Starts the recorder in its own process group (so a group signal to it would be its alone). */
export async function startSignalRecorder(
  dir: string,
  env: Record<string, string> = {},
): Promise<SignalRecorder> {
  const file = join(dir, `signals-${process.pid}-${Date.now()}-${Math.random().toString(16).slice(2)}`);
  const child = spawn(process.execPath, ['-e', SCRIPT, file], {
    detached: true,
    stdio: 'ignore',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
  });
  await once(child, 'spawn');
  child.unref();
  await waitFor(() => existsSync(`${file}.ready`), 10_000, 'the signal recorder is listening');
  return {
    pid: child.pid as number,
    signals: () => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []),
    kill: () => {
      try {
        process.kill(child.pid as number, 'SIGKILL');
      } catch {
        // gone
      }
    },
  };
}

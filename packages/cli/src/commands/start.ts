/**
 * `vigil start`: the watchdog of `vigil run`, in the background (for hosts without systemd, as
 * `pm2 start` is): detached in a session of its own, so no terminal's hangup or Ctrl-C reaches
 * it, with its stdout and stderr in the home's log folder. Returns once the agent is healthy,
 * or with the reason it is not. The lock and every file are the ones `vigil run` uses.
 */
import { spawn } from 'node:child_process';
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, renameSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import {
  assertHomeSafe,
  checkStatus,
  ensureDir,
  openAppend,
  printable,
  resolvePaths,
  type StatusSnapshot,
  type VigilPaths,
  writeAll,
} from '@vigil/shared';
import { DAEMON_NODE_FLAGS } from '@vigil/watchdog/node-flags';
import { request, Unreachable, unwrap } from '../client.js';
import { CliExit, EXIT } from '../exit-codes.js';
import { formatDuration, parseDuration } from '../format.js';
import { findWatchdog, refuseUnderSystemd } from '../running-watchdog.js';

export const help = `Usage: vigil start [--config FILE] [--timeout DURATION]

Starts the watchdog in the background: the same watchdog as \`vigil run\` (same home, lock,
files and logs), detached in a session of its own, its stdout and stderr appended to
$VIGIL_HOME/log/watchdog.out. Returns once the agent is healthy, or with the reason it is not.
Stop it with \`vigil stop\`. Nothing restarts a background watchdog that dies (its agent keeps
running, and the next \`vigil start\` adopts it); on a host with systemd, \`vigil install\`.

Options:
  --config FILE       the config file, as for \`vigil run\`
  --timeout DURATION  how long to wait for a healthy agent (default 30s; e.g. 90s, 2m)

Exit codes: 0 running with a healthy agent, or already running (its pid is printed); 1 the
watchdog could not start (its own words are printed, nothing is left running); 2 the
watchdog runs but the agent is not healthy by the deadline (it keeps trying: \`vigil status\`,
\`vigil stop\`); 64 usage.`;

const DEFAULT_TIMEOUT_MS = 30_000;
/** Past this size the output file is moved to watchdog.out.1 before a start. */
const MAX_OUTPUT_BYTES = 1024 * 1024;
/** The most of the watchdog's own output quoted when it did not start. */
const QUOTED_OUTPUT_BYTES = 4096;
const POLL_MS = 100;

// This file is dist/commands/start.js; the program is dist/bin/vigil.js.
const VIGIL_JS = fileURLToPath(new URL('../bin/vigil.js', import.meta.url));

export function parseTimeout(command: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const ms = parseDuration(text);
  if (ms === null || ms <= 0) {
    throw new CliExit(
      EXIT.usage,
      `vigil ${command}: --timeout wants a duration such as 30s or 2m, got ${JSON.stringify(text)}`,
    );
  }
  return ms;
}

/** Opens the output file for the new watchdog; returns the fd and where this start's output begins. */
function openOutput(paths: VigilPaths): { fd: number; from: number } {
  ensureDir(paths.logDir, { mode: 0o750 });
  try {
    const st = lstatSync(paths.watchdogOutput);
    if (st.isFile() && st.size > MAX_OUTPUT_BYTES)
      renameSync(paths.watchdogOutput, `${paths.watchdogOutput}.1`);
  } catch {
    // Absent: openAppend creates it.
  }
  const fd = openAppend(paths.watchdogOutput, { mode: 0o640 });
  writeAll(fd, `--- ${new Date().toISOString()} vigil start\n`);
  return { fd, from: fstatSync(fd).size };
}

/** What the watchdog wrote since `from`: its last few KiB, for the reason it stopped. */
function outputSince(path: string, from: number): string {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return '';
  }
  try {
    const size = fstatSync(fd).size;
    const start = Math.max(from, size - QUOTED_OUTPUT_BYTES);
    const buffer = Buffer.alloc(Math.max(0, size - start));
    const n = buffer.length ? readSync(fd, buffer, 0, buffer.length, start) : 0;
    return buffer.subarray(0, n).toString('utf8').trim();
  } finally {
    closeSync(fd);
  }
}

async function statusNow(paths: VigilPaths): Promise<StatusSnapshot | null> {
  try {
    const checked = checkStatus(unwrap(await request(paths, { op: 'status' }, 2000)));
    return checked.ok ? checked.value : null;
  } catch (error) {
    if (error instanceof Unreachable || error instanceof CliExit) return null;
    throw error;
  }
}

function alreadyRunning(paths: VigilPaths, pid: number): number {
  process.stdout.write(
    `already running: watchdog pid ${pid} for home ${printable(paths.home ?? '')} (\`vigil status\`, \`vigil stop\`)\n`,
  );
  return EXIT.ok;
}

export async function start(args: {
  config?: string | undefined;
  timeout?: string | undefined;
}): Promise<number> {
  const timeoutMs = parseTimeout('start', args.timeout, DEFAULT_TIMEOUT_MS);
  const paths = resolvePaths();
  refuseUnderSystemd(paths, 'start');
  const home = paths.home as string;
  const found = findWatchdog(paths);
  if (found.state === 'running') return alreadyRunning(paths, found.pid);
  if (found.state === 'unproven') {
    throw new CliExit(
      EXIT.warning,
      `vigil start: ${found.reason}\n  hint: if no watchdog runs for this home, remove ${paths.lockFile}`,
    );
  }
  // Nothing is written into a home another user could aim, as `vigil run` would refuse it.
  assertHomeSafe([home]);
  const output = openOutput(paths);
  // The daemon's node flags, as the unit and ./vigil run give them.
  const argv = [
    ...DAEMON_NODE_FLAGS,
    VIGIL_JS,
    'run',
    ...(args.config ? ['--config', resolve(args.config)] : []),
  ];
  const ended: { code?: number | null; signal?: NodeJS.Signals | null; done?: true } = {};
  let child: ReturnType<typeof spawn>;
  try {
    child = spawn(process.execPath, argv, {
      detached: true,
      stdio: ['ignore', output.fd, output.fd],
      // The home as resolved here, so the watchdog cannot resolve another from its own cwd.
      env: { ...process.env, VIGIL_HOME: home },
    });
  } finally {
    closeSync(output.fd);
  }
  child.once('exit', (code, signal) => Object.assign(ended, { code, signal, done: true }));
  const spawnError = new Promise<Error>((resolveError) => child.once('error', resolveError));
  const started = performance.now();
  let last: StatusSnapshot | null = null;
  for (;;) {
    const failed = await Promise.race([spawnError, sleep(POLL_MS).then(() => null)]);
    if (failed)
      throw new CliExit(EXIT.warning, `vigil start: cannot start ${process.execPath}: ${failed.message}`);
    if (ended.done) {
      const { code, signal } = ended;
      // Two starts at once: the other one's watchdog holds the lock, and that is a success.
      const now = findWatchdog(paths);
      if (now.state === 'running') return alreadyRunning(paths, now.pid);
      const words = outputSince(paths.watchdogOutput, output.from);
      const how = signal ? `killed by ${signal}` : `exit ${code}`;
      throw new CliExit(
        EXIT.warning,
        `vigil start: the watchdog did not start (${how}):\n${words ? `${words.replace(/^/gm, '  ')}\n` : ''}  (its output: ${paths.watchdogOutput})`,
      );
    }
    const snapshot = await statusNow(paths);
    if (snapshot && snapshot.watchdog.pid === child.pid) {
      last = snapshot;
      if (snapshot.agent.state === 'healthy') break;
    }
    if (performance.now() - started > timeoutMs) {
      child.unref();
      const agent = last
        ? `the agent is ${last.agent.state}${last.agent.health?.summary ? ` (${last.agent.health.summary})` : ''}`
        : 'it does not answer on its control socket yet';
      process.stderr.write(
        `${printable(`vigil start: the watchdog runs (pid ${child.pid}) but ${agent} after ${formatDuration(timeoutMs)}; it keeps trying: \`vigil status\`, \`vigil why\`, \`vigil stop\``)}\n`,
      );
      return EXIT.critical;
    }
  }
  child.unref();
  process.stdout.write(
    `${printable(`started: watchdog pid ${child.pid}, agent pid ${last?.agent.pid ?? '-'} healthy; home ${home} (\`vigil status\`, \`vigil logs -f\`, \`vigil stop\`)`)}\n`,
  );
  return EXIT.ok;
}

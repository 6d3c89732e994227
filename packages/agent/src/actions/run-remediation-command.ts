/**
 * Runs one remediation command, once: execa with an argument array (never a shell, so no config
 * value is interpolated), a timeout, and only the tail of its output kept. It runs in its own
 * process group so that, when it is killed (timeout, close), whatever it started goes too.
 */
import { loadExeca } from '../checks/lazy-modules.js';

export interface CommandRun {
  ok: boolean;
  /** undefined when it was killed by a signal or could not start. */
  exitCode: number | undefined;
  timedOut: boolean;
  /** The last outputBytes of stdout and stderr, interleaved. */
  output: string;
  /** Why it failed, in one line. */
  reason: string;
  /** The program could not be started at all (not found, not executable): retrying will not help. */
  spawnFailed: boolean;
}

export interface RunCommandOptions {
  timeoutMs: number;
  outputBytes: number;
  /** Aborting kills the command. */
  signal?: AbortSignal | undefined;
}

const FORCE_KILL_AFTER_MS = 2000;

export async function runRemediationCommand(
  command: readonly string[],
  options: RunCommandOptions,
): Promise<CommandRun> {
  const { execa } = await loadExeca();
  const [file = '', ...args] = command;
  let tail = '';
  const subprocess = execa(file, args, {
    timeout: options.timeoutMs,
    reject: false,
    all: true,
    buffer: false,
    stdin: 'ignore',
    detached: true,
    forceKillAfterDelay: FORCE_KILL_AFTER_MS,
    ...(options.signal ? { cancelSignal: options.signal } : {}),
  });
  subprocess.all?.on('data', (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-options.outputBytes);
  });
  // Children it left behind would hold the output pipe open and keep us waiting.
  subprocess.once('exit', () => {
    if (subprocess.killed && subprocess.pid !== undefined) killGroup(subprocess.pid);
  });
  const result = await subprocess;
  const spawnFailed = result.failed && result.exitCode === undefined && result.signal === undefined;
  const output = tail.trim();
  if (!result.failed)
    return { ok: true, exitCode: 0, timedOut: false, output, reason: 'exit 0', spawnFailed };
  let reason: string;
  if (result.timedOut) reason = `timed out after ${options.timeoutMs} ms`;
  else if (result.isCanceled) reason = 'cancelled';
  else if (result.exitCode !== undefined) reason = `exit ${result.exitCode}`;
  else if (result.signal !== undefined) reason = `killed by ${result.signal}`;
  else reason = result.shortMessage?.split('\n')[0] ?? 'could not start';
  return { ok: false, exitCode: result.exitCode, timedOut: result.timedOut, output, reason, spawnFailed };
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // The group is already gone.
  }
}

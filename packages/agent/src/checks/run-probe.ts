/**
 * Runs a probe program (a `command` check, systemctl) without a shell, in its own process
 * group, and kills the whole group when the signal fires: killing only the direct child would
 * leave a grandchild (`sh -c 'x; sleep 60'`) holding the output pipe, and the run would wait
 * for it long past its timeout.
 */
import { loadExeca } from './lazy-modules.js';

export const MAX_OUTPUT_BYTES = 64 * 1024;

export interface ProbeResult {
  /** Absent when the program was killed or could not be started. */
  exitCode?: number;
  /** The signal that ended it, if one did. */
  signal?: string;
  /** True when it was still running when the signal fired. */
  aborted: boolean;
  /** Why it could not be started (e.g. "spawn foo ENOENT"). */
  spawnError?: string;
  stdout: string;
  /** stdout and stderr interleaved, final newline stripped. */
  all: string;
}

export async function runProbe(
  file: string,
  args: readonly string[],
  signal: AbortSignal,
): Promise<ProbeResult> {
  const { execa } = await loadExeca();
  const subprocess = execa(file, args, {
    reject: false,
    all: true,
    stripFinalNewline: true,
    stdin: 'ignore',
    maxBuffer: MAX_OUTPUT_BYTES,
    detached: true,
  });
  let aborted = false;
  const killGroup = () => {
    aborted = true;
    if (subprocess.pid === undefined) return;
    try {
      process.kill(-subprocess.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  };
  if (signal.aborted) killGroup();
  else signal.addEventListener('abort', killGroup, { once: true });
  try {
    const result = await subprocess;
    const probe: ProbeResult = {
      aborted,
      stdout: typeof result.stdout === 'string' ? result.stdout : '',
      all: typeof result.all === 'string' ? result.all : '',
    };
    if (result.exitCode !== undefined) probe.exitCode = result.exitCode;
    if (result.signal !== undefined) probe.signal = result.signal;
    if (result.exitCode === undefined && result.signal === undefined && !aborted) {
      probe.spawnError = result.originalMessage || result.shortMessage;
    }
    return probe;
  } finally {
    signal.removeEventListener('abort', killGroup);
  }
}

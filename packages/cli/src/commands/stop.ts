/**
 * `vigil stop` and `vigil restart`: the home's watchdog, however it was started (`vigil start`
 * or `vigil run` in another terminal), stopped gracefully and waited for; restart starts it
 * again in the background on the same home.
 */
import { printable, resolvePaths } from '@vigil/shared/core';
import { EXIT } from '../exit-codes.js';
import { formatDuration } from '../format.js';
import { refuseUnderSystemd, stopWatchdog } from '../running-watchdog.js';
import { parseTimeout, start } from './start.js';

const DEFAULT_TIMEOUT_MS = 60_000;

const WHO = `Only the process that the home's lock (run/watchdog.lock) names, by pid and start time,
and that runs \`vigil run\`, is signalled; a lock naming anything else is refused.`;

export const stopHelp = `Usage: vigil stop [--timeout DURATION]

Stops the watchdog of this home ($VIGIL_HOME, else the checkout's .vigil, else
~/.local/state/vigil), whether \`vigil start\` or \`vigil run\` started it: SIGTERM, upon which
it stops the agent gracefully (SIGKILL to the agent's whole tree after its stop timeout) and
then itself. Waits until the watchdog has exited. ${WHO}
Under systemd: \`systemctl stop vigil-watchdog vigil-agent\`.

Options:
  --timeout DURATION  how long to wait for it to exit (default 60s)

Exit codes: 0 stopped, or was not running (said so); 1 refused (the lock names a process that
is not this home's watchdog, or one of another user) or still running at the deadline;
64 usage.`;

export const restartHelp = `Usage: vigil restart [--config FILE] [--timeout DURATION]

\`vigil stop\` if the watchdog of this home runs, then \`vigil start\`: a new watchdog and agent in
the background on the same home, so history, state and logs carry on. ${WHO}

Options:
  --config FILE       the config file, as for \`vigil run\`
  --timeout DURATION  how long to wait for each of the stop and the start (default 60s, 30s)

Exit codes: as \`vigil start\` (0 running and healthy, 1 could not start, 2 runs but the agent
is not healthy by the deadline); 1 also when the running watchdog could not be stopped;
64 usage.`;

export async function stop(args: { timeout?: string | undefined }): Promise<number> {
  const timeoutMs = parseTimeout('stop', args.timeout, DEFAULT_TIMEOUT_MS);
  const paths = resolvePaths();
  refuseUnderSystemd(paths, 'stop');
  const outcome = await stopWatchdog(paths, timeoutMs, 'stop');
  if (outcome.kind === 'not-running') {
    const stale = outcome.stale ? ` (${outcome.stale})` : '';
    process.stdout.write(`${printable(`not running: no watchdog for home ${paths.home}${stale}`)}\n`);
    return EXIT.ok;
  }
  process.stdout.write(
    `${printable(`stopped: watchdog pid ${outcome.pid} and its agent, in ${formatDuration(outcome.tookMs)}; home ${paths.home}`)}\n`,
  );
  return EXIT.ok;
}

export async function restart(args: {
  config?: string | undefined;
  timeout?: string | undefined;
}): Promise<number> {
  const stopTimeoutMs = parseTimeout('restart', args.timeout, DEFAULT_TIMEOUT_MS);
  const paths = resolvePaths();
  refuseUnderSystemd(paths, 'restart');
  const outcome = await stopWatchdog(paths, stopTimeoutMs, 'restart');
  if (outcome.kind === 'stopped') {
    process.stdout.write(
      `${printable(`stopped: watchdog pid ${outcome.pid} and its agent, in ${formatDuration(outcome.tookMs)}`)}\n`,
    );
  }
  return start(args);
}

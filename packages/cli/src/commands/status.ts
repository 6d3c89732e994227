/** `vigil status [--json]`: exit 0 healthy, 1 degraded/recovering, 2 failed/stopped, 3 unreachable. */
import { printable, readStatusFile, terminalJson } from '@vigil/shared';
import { cliPaths, requestStatus, statusFileProblem, Unreachable, unreachableMessage } from '../client.js';
import { EXIT } from '../exit-codes.js';
import { useColor } from '../format.js';
import { renderStatus, statusExitCode } from '../render-status.js';

export const help = `Usage: vigil status [--json]

Shows the watchdog and the agent: state, pid, uptime, last heartbeat, RSS/CPU, checks,
the current recovery rung and the last incidents, and the home it looked at ($VIGIL_HOME,
else the checkout's .vigil, else ~/.local/state/vigil). When the watchdog is not running,
shows the last state it wrote (marked STALE) and exits 3.

Options:
  --json    the status object as JSON (its fields are listed in the README, "Files and the
            operator contract"); watchdog.home is the home looked at, also when unreachable

Exit codes (Nagios-compatible):
  0  agent healthy
  1  degraded, starting, recovering or unresponsive
  2  failed or stopped
  3  watchdog unreachable (the data shown, if any, is stale; a damaged status file is
     reported as "status file unreadable", with --json as {"reachable":false,"error":…})`;

export async function status(args: { json: boolean }): Promise<number> {
  const paths = cliPaths();
  try {
    const snapshot = await requestStatus(paths);
    process.stdout.write(
      args.json ? `${terminalJson(snapshot, 2)}\n` : renderStatus(snapshot, { color: useColor() }),
    );
    return statusExitCode(snapshot.agent.state);
  } catch (error) {
    if (!(error instanceof Unreachable)) throw error;
    const stale = readStatusFile(paths.statusFile);
    const problem = statusFileProblem(paths, stale);
    // The home looked at, also with no status file: a wrong home is the usual reason.
    const home = paths.home ? { home: paths.home } : {};
    if (args.json) {
      const where = { mode: paths.mode, ...(paths.home ? home : { runDir: paths.runDir }) };
      const out =
        stale.kind === 'ok'
          ? {
              ...stale.snapshot,
              watchdog: { ...stale.snapshot.watchdog, ...home },
              stale: true,
              staleForMs: stale.ageMs,
            }
          : {
              stale: true,
              reachable: false,
              watchdog: where,
              ...(problem ? { error: problem.replace(/^vigil: /, '') } : {}),
            };
      process.stdout.write(`${terminalJson(out, 2)}\n`);
    } else if (stale.kind === 'ok') {
      const snapshot = { ...stale.snapshot, watchdog: { ...stale.snapshot.watchdog, ...home } };
      process.stdout.write(renderStatus(snapshot, { color: useColor(), staleMs: stale.ageMs }));
    }
    if (problem) process.stderr.write(`${printable(problem)}\n`);
    process.stderr.write(`${printable(unreachableMessage(paths, error.message), { newlines: true })}\n`);
    return EXIT.unreachable;
  }
}

/** `vigil status [--json]`: exit 0 healthy, 1 degraded/recovering, 2 failed/stopped, 3 unreachable. */
import type { StatusSnapshot } from '@vigil/shared';
import { cliPaths, readStatusFile, request, Unreachable, unreachableMessage, unwrap } from '../client.js';
import { EXIT } from '../exit-codes.js';
import { renderStatus, statusExitCode } from '../render-status.js';
import { useColor } from '../style.js';

export const help = `Usage: vigil status [--json]

Shows the watchdog and the agent: state, pid, uptime, last heartbeat, RSS/CPU, checks,
the current recovery rung and the last incidents. When the watchdog is not running, shows
the last state it wrote (marked STALE) and exits 3.

Options:
  --json    the status object (fields of DESIGN.md §6) as JSON

Exit codes (Nagios-compatible):
  0  agent healthy
  1  degraded, starting, recovering or unresponsive
  2  failed or stopped
  3  watchdog unreachable (the data shown, if any, is stale)`;

export async function status(args: { json: boolean }): Promise<number> {
  const paths = cliPaths();
  try {
    const snapshot = unwrap(await request(paths, { op: 'status' })) as StatusSnapshot;
    process.stdout.write(
      args.json ? `${JSON.stringify(snapshot, null, 2)}\n` : renderStatus(snapshot, { color: useColor() }),
    );
    return statusExitCode(snapshot.agent.state);
  } catch (error) {
    if (!(error instanceof Unreachable)) throw error;
    const stale = readStatusFile(paths);
    if (args.json) {
      process.stdout.write(
        `${JSON.stringify(stale ? { ...stale.snapshot, stale: true, staleForMs: stale.ageMs } : { stale: true, reachable: false }, null, 2)}\n`,
      );
    } else if (stale) {
      process.stdout.write(renderStatus(stale.snapshot, { color: useColor(), staleMs: stale.ageMs }));
    }
    process.stderr.write(`${unreachableMessage(paths, error.message)}\n`);
    return EXIT.unreachable;
  }
}

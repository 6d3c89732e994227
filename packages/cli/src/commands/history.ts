/** `vigil history [--json] [-n N]`: incident timelines, newest first. */
import { type Incident, terminalJson } from '@vigil/shared/core';
import { checkIncidents, foldIncidents, readHistory } from '@vigil/shared/history';
import { cliPaths, request, Unreachable, unwrap } from '../client.js';
import { CliExit, EXIT } from '../exit-codes.js';
import { useColor } from '../format.js';
import { renderHistory } from '../render-history.js';

export const help = `Usage: vigil history [--json] [-n N]

Shows recorded incidents, newest first, each with its timeline: the signal, every rung
tried with its result and duration, the evidence taken before a hard kill, the outcome.
Reads the watchdog, or the history file directly when the watchdog is down.

Options:
  -n N      at most N incidents (default 20)
  --json    incidents as a JSON array

Exit codes: 0 shown, 3 neither the watchdog nor the history file could be read.`;

export async function history(args: { json: boolean; n: number }): Promise<number> {
  const paths = cliPaths();
  let incidents: Incident[];
  try {
    const checked = checkIncidents(unwrap(await request(paths, { op: 'history', n: args.n })));
    if (!checked.ok) {
      throw new CliExit(
        EXIT.unreachable,
        `vigil history: the watchdog's answer is unreadable: ${checked.reason}`,
      );
    }
    incidents = checked.value;
  } catch (error) {
    if (!(error instanceof Unreachable)) throw error;
    // The history is a file: it can be read without the daemon.
    incidents = foldIncidents(readHistory(paths.historyFile).events).slice(0, args.n);
  }
  process.stdout.write(args.json ? `${terminalJson(incidents, 2)}\n` : renderHistory(incidents, useColor()));
  return 0;
}

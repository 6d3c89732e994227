/** `vigil status [--json]`: exit 0 healthy, 1 degraded/recovering, 2 failed/stopped, 3 unreachable. */
import { printable, readStatusFile, terminalJson } from '@vigil/shared/core';
import { agentLogLines } from '../agent-log-lines.js';
import { cliPaths, requestStatus, statusFileProblem, Unreachable, unreachableMessage } from '../client.js';
import { CliExit, EXIT } from '../exit-codes.js';
import { paint, useColor } from '../format.js';
import { renderStatus, statusExitCode } from '../render-status.js';

const DEFAULT_LOG_LINES = 5;

export const help = `Usage: vigil status [--json] [-n N] [--watch]
       vigil top

Shows the watchdog and the agent: state, pid, uptime, last heartbeat, RSS/CPU, each check
(type, state, value or summary, since when, last run), the current recovery rung, the last
incidents, the agent's last log lines, and the home it looked at ($VIGIL_HOME, else the
checkout's .vigil, else ~/.local/state/vigil). When the watchdog is not running, shows the
last state it wrote (marked STALE) and exits 3.

Options:
  --json         the status object as JSON (its fields are listed in the README, "Files and the
                 operator contract"); watchdog.home is the home looked at, also when unreachable
  -n, --lines N  the agent's last N log lines (default ${DEFAULT_LOG_LINES}; 0: none): agent.log in
                 embedded mode, the journal under systemd (needs group systemd-journal or adm)
  -w, --watch    a live view (also \`vigil top\`): redrawn when something changes, with the open
                 incident's timeline as it grows; q or Ctrl-C quits (exit 0)

Exit codes (Nagios-compatible):
  0  agent healthy
  1  degraded, starting, recovering or unresponsive
  2  failed or stopped
  3  watchdog unreachable (the data shown, if any, is stale; a damaged status file is
     reported as "status file unreadable", with --json as {"reachable":false,"error":…})`;

function parseLines(text: string | undefined): number {
  if (text === undefined) return DEFAULT_LOG_LINES;
  if (!/^\d+$/.test(text.trim()))
    throw new CliExit(
      EXIT.usage,
      `vigil status: -n wants a whole number of lines (0 or more), got ${JSON.stringify(text)}`,
    );
  return Math.min(1000, Number(text));
}

async function logSection(lines: number, color: boolean): Promise<string> {
  if (lines === 0) return '';
  const log = await agentLogLines(cliPaths(), lines);
  if ('unavailable' in log) return `  log        ${paint(printable(log.unavailable), 'dim', color)}\n`;
  if (log.lines.length === 0) return '  log        (empty)\n';
  return `  log\n${log.lines.map((line) => `    ${line}\n`).join('')}`;
}

export async function status(args: {
  json: boolean;
  lines?: string | undefined;
  watch?: boolean;
}): Promise<number> {
  const lines = parseLines(args.lines);
  if (args.watch) {
    if (args.json)
      throw new CliExit(EXIT.usage, 'vigil status: --watch is a terminal view; --json takes one look');
    const { watchStatus } = await import('../live-view.js');
    return watchStatus();
  }
  const paths = cliPaths();
  try {
    const snapshot = await requestStatus(paths);
    const color = useColor();
    process.stdout.write(
      args.json
        ? `${terminalJson(snapshot, 2)}\n`
        : `${renderStatus(snapshot, { color })}${await logSection(lines, color)}`,
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
      process.stdout.write(
        `${renderStatus(snapshot, { color: useColor(), staleMs: stale.ageMs })}${await logSection(lines, useColor())}`,
      );
    }
    if (problem) process.stderr.write(`${printable(problem)}\n`);
    process.stderr.write(`${printable(unreachableMessage(paths, error.message), { newlines: true })}\n`);
    return EXIT.unreachable;
  }
}

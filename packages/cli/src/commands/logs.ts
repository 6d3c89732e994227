/**
 * `vigil logs`: both logs merged in time order, from the files (embedded) or the journal
 * (systemd). Loaded only for this command, so the daemon never loads pino-pretty. What only one
 * case needs is imported for it: the journal reader (execa) under systemd, the history for
 * --incident, pino-pretty for the human view.
 */
import { printable, type VigilPaths } from '@vigil/shared/core';
import { cliPaths } from '../client.js';
import { COMMAND_TABLE } from '../command-table.js';
import { CliExit, EXIT } from '../exit-codes.js';
import { useColor } from '../format.js';
import { FileLogSource } from '../logs/file-source.js';
import { type IncidentSpan, LEVELS, type LogQuery, parseLevel, parseSince } from '../logs/filters.js';
import { type LogRecord, UNITS, type Unit } from '../logs/log-record.js';
import type { LogSource } from '../logs/log-source.js';
import { createRenderer } from '../logs/render.js';

const DEFAULT_LINES = 50;

export const options = COMMAND_TABLE.logs.options;

export const help = `Usage: vigil logs [-f] [-n N] [--level L] [--unit watchdog|agent] [--since T] [--incident ID] [--json]

Shows the watchdog's and the agent's logs merged in time order, pretty-printed (colour on a
terminal unless NO_COLOR is set). Embedded mode reads $VIGIL_HOME/log/watchdog.log and
agent.log; under systemd (VIGIL_MODE=systemd) the journal of vigil-watchdog.service and
vigil-agent.service.

Lines printed outside the log (the agent's stderr: a crash's stack trace) are shown as WARN,
or ERROR when they read like an error. Their time: while following, the time they were read;
otherwise the time of the logged line before them in the same file (the watchdog marks each
start of the agent in agent.log), else of the first logged line after them, else (a file
with no logged line at all) the file's modification time. Under systemd each line has the
journal's own time, and its priority where that says more than the default.

Options:
  -f, --follow      keep printing lines as they are written, across log rotation and truncation
  -n, --lines N     the last N lines (default ${DEFAULT_LINES}; with --since or --incident: all of them)
  --level L         that level and above: ${Object.keys(LEVELS).join(', ')}, or a number
  --unit U          only one log: watchdog or agent
  --since T         lines at or after T: a time ago (30s, 10m, 2h, 1d), a clock time today (22:20),
                    yesterday / today [HH:MM], or an ISO time (2026-11-23T10:00:00Z)
  --incident ID     one incident's lines (ids from \`vigil history\`): those tagged with its id and
                    all logged while it was open
  --json            the JSON lines as written; other lines wrapped as
                    {"time":…,"level":…,"component":"agent","msg":"<the line>","raw":true}

Signals: with -f, SIGINT (Ctrl-C) or SIGTERM stops following (exit 0).

Exit codes:
  0   shown (with -f: followed until stopped)
  1   no log files found, unknown incident, or the journal could not be read
  64  bad command line`;

export interface LogsArgs {
  follow?: boolean | string | undefined;
  lines?: boolean | string | undefined;
  level?: boolean | string | undefined;
  unit?: boolean | string | undefined;
  since?: boolean | string | undefined;
  incident?: boolean | string | undefined;
  json?: boolean | string | undefined;
}

function usage(message: string): CliExit {
  return new CliExit(EXIT.usage, `vigil logs: ${message}\n  hint: \`vigil logs --help\` lists the options`);
}

function parseCount(text: string | undefined, bounded: boolean): number | null {
  if (text === undefined) return bounded ? null : DEFAULT_LINES;
  if (!/^\d+$/.test(text.trim()))
    throw usage(`-n wants a whole number of lines (0 or more), got ${JSON.stringify(text)}`);
  return Number(text);
}

function parseUnits(text: string | undefined): readonly Unit[] {
  if (text === undefined) return UNITS;
  if (!UNITS.includes(text as Unit))
    throw usage(`--unit wants watchdog or agent, got ${JSON.stringify(text)}`);
  return [text as Unit];
}

async function lookupIncident(paths: VigilPaths, id: string): Promise<IncidentSpan> {
  const { findIncidentSpan } = await import('../logs/incident-span.js');
  const span = findIncidentSpan(paths.historyFile, id);
  if (span) return span;
  throw new CliExit(
    EXIT.warning,
    `vigil logs: no incident ${JSON.stringify(id)} in ${paths.historyFile}\n  hint: \`vigil history\` lists the recorded incidents and their ids`,
  );
}

export async function buildQuery(args: LogsArgs, paths: VigilPaths, now = Date.now()): Promise<LogQuery> {
  const text = (value: boolean | string | undefined) => (typeof value === 'string' ? value : undefined);
  const levelText = text(args.level);
  const minLevel = levelText === undefined ? 0 : parseLevel(levelText);
  if (minLevel === null) {
    throw usage(
      `--level wants ${Object.keys(LEVELS).join(', ')} or a number, got ${JSON.stringify(levelText)}`,
    );
  }
  const sinceText = text(args.since);
  const since = sinceText === undefined ? null : parseSince(sinceText, now);
  if (since === null && sinceText !== undefined) {
    throw usage(
      `--since wants a time ago (30s, 10m, 2h, 1d), a clock time (22:20), yesterday/today [HH:MM] or an ISO time (2026-11-23T10:00:00Z), got ${JSON.stringify(sinceText)}`,
    );
  }
  const incidentId = text(args.incident);
  return {
    minLevel,
    units: parseUnits(text(args.unit)),
    since,
    count: parseCount(text(args.lines), since !== null || incidentId !== undefined),
    incident: incidentId === undefined ? null : await lookupIncident(paths, incidentId),
  };
}

function noLogFiles(paths: VigilPaths, query: LogQuery): CliExit {
  const names = query.units.map((unit) => `${unit}.log`).join(' and ');
  return new CliExit(
    EXIT.warning,
    `vigil logs: no log files in ${paths.logDir} (looked for ${names})\n  hint: start the pair with \`vigil run\` (VIGIL_HOME=${paths.home}), or point VIGIL_HOME at the directory it runs in; under systemd set VIGIL_MODE=systemd`,
  );
}

async function createSource(paths: VigilPaths, query: LogQuery, follow: boolean): Promise<LogSource> {
  if (paths.mode === 'systemd') {
    const { JournalLogSource } = await import('../logs/journal-source.js');
    return new JournalLogSource(query);
  }
  const files = [
    { unit: 'watchdog' as const, path: paths.watchdogLog },
    { unit: 'agent' as const, path: paths.agentLog },
  ];
  return new FileLogSource(files, query, { follow });
}

/** Follows until SIGINT/SIGTERM (exit 0) or until the source gives up (exit 1). */
function followUntilStopped(source: LogSource, print: (records: LogRecord[]) => void): Promise<number> {
  return new Promise((resolve) => {
    let finished = false;
    let lastWarning = '';
    const done = (code: number): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(code);
    };
    // Our listeners stay until the end: execa's cleanup (signal-exit) re-raises a signal
    // nobody else listens to, which would kill us with 130 instead of exiting 0.
    const finish = (code: number): void => {
      if (finished) return;
      finished = true;
      void source.stop().then(
        () => done(code),
        () => done(code),
      );
    };
    // A second Ctrl-C does not wait for a slow stop.
    const onSignal = (): void => (finished ? done(EXIT.ok) : finish(EXIT.ok));
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    source
      .follow({
        emit: print,
        // The poll retries every few hundred ms: say each distinct problem once.
        warn: (error) => {
          if (error.message === lastWarning) return;
          lastWarning = error.message;
          process.stderr.write(`vigil logs: ${printable(error.message)}\n`);
        },
        end: (error) => {
          if (error) process.stderr.write(`vigil logs: ${printable(error.message)}\n`);
          finish(error ? EXIT.warning : EXIT.ok);
        },
      })
      .catch((error: Error) => {
        process.stderr.write(`vigil logs: ${printable(error.message)}\n`);
        finish(EXIT.warning);
      });
  });
}

export async function logs(args: LogsArgs, positionals: readonly string[] = []): Promise<number> {
  if (positionals.length > 0) throw usage(`unexpected argument ${JSON.stringify(positionals[0])}`);
  const paths = cliPaths();
  const query = await buildQuery(args, paths);
  const follow = args.follow === true;
  const source = await createSource(paths, query, follow);
  const render = await createRenderer({ json: args.json === true, color: useColor() });
  // `vigil logs | head` closes the pipe early: that is the reader being done, not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(EXIT.ok);
  });
  const print = (records: LogRecord[]): void => {
    if (records.length > 0) process.stdout.write(records.map(render).join(''));
  };

  let records: LogRecord[] | null;
  try {
    records = await source.tail();
  } catch (error) {
    await source.stop();
    throw new CliExit(EXIT.warning, `vigil logs: ${(error as Error).message}`);
  }
  if (records === null && !follow) throw noLogFiles(paths, query);
  if (records === null) {
    process.stderr.write(
      `vigil logs: no log files in ${paths.logDir} yet; waiting for them (start the pair with \`vigil run\`)\n`,
    );
  }
  print(records ?? []);
  if (!follow) return EXIT.ok;
  return followUntilStopped(source, print);
}

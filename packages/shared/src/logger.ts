/**
 * The pino factory both processes use: JSON lines with a `component` field (`watchdog`,
 * `agent`), to a file in embedded mode and to stdout under systemd (the journal adds the time
 * and unit). Writes are synchronous: a supervisor logs little, and a line written just before a
 * crash or process.exit must not be lost. The destinations are vigil's own and never throw: a
 * full disk or a closed stdout costs log lines (counted, and reported once writing works
 * again), never the process. Creating a logger never fails either.
 */
import { type DestinationStream, type LevelWithSilent, type Logger, pino } from 'pino';
import { FdDestination } from './logging/fd-destination.js';
import { formatHumanLine } from './logging/human-line.js';
import { LogFileDestination, type LogRotation } from './logging/log-file-destination.js';
import { DEFAULT_REPEAT_LIMIT, type RepeatLimit, repeatLimitHook } from './logging/repeat-limiter.js';

export type { Logger } from 'pino';
export type VigilComponent = 'watchdog' | 'agent' | 'cli';

export interface CreateLoggerOptions {
  component: VigilComponent;
  /** Log file (embedded mode); absent means stdout (systemd, the journal). */
  file?: string | undefined;
  /** Rotation of `file` by size (the config's `log` section). */
  rotate?: LogRotation | undefined;
  level?: LevelWithSilent;
  /** Also print a short human line per record on this stream (a foreground `vigil run` on a TTY). */
  echo?: NodeJS.WritableStream | undefined;
  /**
   * Suppress repeats of one message past this rate (errors never are). Default: on for the
   * watchdog (5 per 10 s), off for the others; `false` turns it off.
   */
  repeats?: RepeatLimit | false | undefined;
}

export function createLogger(options: CreateLoggerOptions): Logger {
  const base = { component: options.component, pid: process.pid };
  const destination: DestinationStream = options.file
    ? new LogFileDestination({ path: options.file, rotate: options.rotate, base })
    : new FdDestination(1, { base });
  const echo = options.echo;
  const stream: DestinationStream = echo ? tee(destination, echoStream(echo)) : destination;
  const repeats = options.repeats ?? (options.component === 'watchdog' ? DEFAULT_REPEAT_LIMIT : false);
  return pino(
    {
      level: options.level ?? (process.env.VIGIL_LOG_LEVEL as LevelWithSilent | undefined) ?? 'info',
      base,
      formatters: { level: (label, number) => ({ level: number, levelName: label }) },
      ...(repeats ? { hooks: { logMethod: repeatLimitHook(repeats) } } : {}),
    },
    stream,
  );
}

function tee(first: DestinationStream, second: DestinationStream): DestinationStream {
  return {
    write(line: string) {
      first.write(line);
      second.write(line);
    },
  };
}

/** The human echo: stdout itself is written like any fd (a closed terminal is not an error). */
function echoStream(echo: NodeJS.WritableStream): DestinationStream {
  if (echo === process.stdout) {
    const out = new FdDestination(1);
    return { write: (line: string) => out.write(formatHumanLine(line)) };
  }
  return {
    write(line: string) {
      try {
        echo.write(formatHumanLine(line));
      } catch {
        // The echo is a courtesy; the record is in the log.
      }
    },
  };
}

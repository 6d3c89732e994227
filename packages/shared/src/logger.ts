/**
 * The pino factory both processes use: JSON lines with a `component` field (`watchdog`,
 * `agent`), to a file in embedded mode and to stdout under systemd (the journal adds the time
 * and unit). Writes are synchronous: a supervisor logs little, and a line written just before a
 * crash or process.exit must not be lost.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { type DestinationStream, type LevelWithSilent, type Logger, pino } from 'pino';
import { formatHumanLine } from './logging/human-line.js';

export type { Logger } from 'pino';
export type VigilComponent = 'watchdog' | 'agent' | 'cli';

export interface CreateLoggerOptions {
  component: VigilComponent;
  /** Log file (embedded mode); absent means stdout (systemd, the journal). */
  file?: string | undefined;
  level?: LevelWithSilent;
  /** Also print a short human line per record on this stream (a foreground `vigil run` on a TTY). */
  echo?: NodeJS.WritableStream | undefined;
}

export function createLogger(options: CreateLoggerOptions): Logger {
  let destination: DestinationStream;
  if (options.file) {
    mkdirSync(dirname(options.file), { recursive: true, mode: 0o750 });
    destination = pino.destination({ dest: options.file, sync: true, append: true, mode: 0o640 });
  } else {
    destination = pino.destination({ dest: 1, sync: true });
  }
  const echo = options.echo;
  const stream: DestinationStream = echo
    ? pino.multistream([
        { stream: destination, level: 'trace' },
        { stream: { write: (line: string) => void echo.write(formatHumanLine(line)) }, level: 'trace' },
      ])
    : destination;
  return pino(
    {
      level: options.level ?? (process.env.VIGIL_LOG_LEVEL as LevelWithSilent | undefined) ?? 'info',
      base: { component: options.component, pid: process.pid },
      formatters: { level: (label, number) => ({ level: number, levelName: label }) },
    },
    stream,
  );
}

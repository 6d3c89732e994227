/**
 * One line of either log as a record: a pino JSON line as written, or a raw line (the agent's
 * own stdout/stderr, e.g. a crash stack trace) kept with a time and level borrowed or guessed.
 */

export type Unit = 'watchdog' | 'agent';
export const UNITS: readonly Unit[] = ['watchdog', 'agent'];

export interface LogRecord {
  /** Epoch ms: the pino `time`, or for a raw line the time it is attributed to. */
  time: number;
  level: number;
  unit: Unit;
  /** The line exactly as read, without its newline. */
  line: string;
  /** The parsed pino record; null for a raw line. */
  json: Record<string, unknown> | null;
}

/** The pino record a line holds, or null when the line is not one (raw output). */
export function parsePinoLine(line: string): Record<string, unknown> | null {
  if (!line.startsWith('{')) return null;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const record = value as Record<string, unknown>;
  return typeof record.time === 'number' && typeof record.level === 'number' ? record : null;
}

const LOOKS_LIKE_ERROR = /Error\b|^\s+at /;

/** A raw line is an error when it reads like one (`TypeError: …`, a stack frame), else info. */
export function rawLineLevel(line: string): number {
  return LOOKS_LIKE_ERROR.test(line) ? 50 : 30;
}

export function pinoRecord(line: string, json: Record<string, unknown>, unit: Unit): LogRecord {
  return { time: json.time as number, level: json.level as number, unit, line, json };
}

export function rawRecord(line: string, unit: Unit, time: number, level = rawLineLevel(line)): LogRecord {
  return { time, level, unit, line, json: null };
}

/**
 * Parses a file's lines in order: a raw line takes the time of the last pino line before it in
 * the same file, or `fallbackTime` (the file's mtime) when there was none.
 */
export class ForwardLineParser {
  readonly #unit: Unit;
  #previousTime: number | null;

  constructor(unit: Unit, previousTime: number | null = null) {
    this.#unit = unit;
    this.#previousTime = previousTime;
  }

  parse(line: string, fallbackTime: number): LogRecord {
    const json = parsePinoLine(line);
    if (json) {
      this.#previousTime = json.time as number;
      return pinoRecord(line, json, this.#unit);
    }
    return rawRecord(line, this.#unit, this.#previousTime ?? fallbackTime);
  }
}

/** The `--json` form: a pino line as written; a raw line wrapped so every output line is JSON. */
export function toJsonLine(record: LogRecord): string {
  if (record.json) return record.line;
  return JSON.stringify({
    time: record.time,
    level: record.level,
    component: record.unit,
    msg: record.line,
    raw: true,
  });
}

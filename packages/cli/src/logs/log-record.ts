/**
 * One line of either log as a record: a pino JSON line as written, or a raw line (what a
 * process printed outside its logger: its stderr, e.g. a crash stack trace) kept with a time
 * and level borrowed or guessed. The rule for both is in `vigil logs --help`.
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

/**
 * Both processes log JSON on stdout, so a raw line is almost always stderr: a warning at least,
 * an error when it reads like one (`TypeError: …`, a stack frame).
 */
export function rawLineLevel(line: string): number {
  return LOOKS_LIKE_ERROR.test(line) ? 50 : 40;
}

export function pinoRecord(line: string, json: Record<string, unknown>, unit: Unit): LogRecord {
  return { time: json.time as number, level: json.level as number, unit, line, json };
}

export function rawRecord(line: string, unit: Unit, time: number, level = rawLineLevel(line)): LogRecord {
  return { time, level, unit, line, json: null };
}

/** A line read while following: a raw one is given the time it was read (it was just written). */
export function followedRecord(line: string, unit: Unit, readAt: number): LogRecord {
  const json = parsePinoLine(line);
  return json ? pinoRecord(line, json, unit) : rawRecord(line, unit, readAt);
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

/** Which records `vigil logs` shows: level, unit, a start time, one incident, and how many. */
import { parseDuration } from '../cli/style.js';
import type { LogRecord, Unit } from './log-record.js';

export const LEVELS: Readonly<Record<string, number>> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
};

export interface IncidentSpan {
  id: string;
  openedAt: number;
  /** null while the incident is still open. */
  closedAt: number | null;
}

export interface LogQuery {
  /** Records at this level and above (0: all). */
  minLevel: number;
  units: readonly Unit[];
  /** Records at or after this epoch ms (null: no bound). */
  since: number | null;
  incident: IncidentSpan | null;
  /** The last `count` matching records; null: all of them. */
  count: number | null;
}

/** A level name (trace … fatal) or a pino level number; null when it is neither. */
export function parseLevel(text: string): number | null {
  const named = LEVELS[text.trim().toLowerCase()];
  if (named !== undefined) return named;
  return /^\d+$/.test(text.trim()) ? Number(text) : null;
}

/** "10m", "90s", "2h", "1d" ago, or an ISO date/time; null when it is neither. */
export function parseSince(text: string, now = Date.now()): number | null {
  const ago = parseDuration(text);
  if (ago !== null) return now - ago;
  if (!/^\d{4}-\d{2}-\d{2}/.test(text.trim())) return null;
  const at = Date.parse(text.trim());
  return Number.isNaN(at) ? null : at;
}

export function matches(query: LogQuery, record: LogRecord): boolean {
  if (record.level < query.minLevel) return false;
  if (!query.units.includes(record.unit)) return false;
  if (query.since !== null && record.time < query.since) return false;
  const incident = query.incident;
  if (incident) {
    if (record.json?.incidentId === incident.id) return true;
    return (
      record.time >= incident.openedAt && (incident.closedAt === null || record.time <= incident.closedAt)
    );
  }
  return true;
}

/** No record before this time can match: reading a file backwards may stop there. */
export function lowerBound(query: LogQuery): number | null {
  const bounds = [query.since, query.incident?.openedAt ?? null].filter((b): b is number => b !== null);
  return bounds.length ? Math.max(...bounds) : null;
}

/** Which records `vigil logs` shows: level, unit, a start time, one incident, and how many. */
import { isStartMark } from '@vigil/shared/core';
import { parseDuration } from '../format.js';
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

const DAYS: Record<string, number> = { yesterday: -1, today: 0, tomorrow: 1 };

/** Local midnight of the day `offset` days from `now`'s. */
function midnight(now: number, offset: number): number {
  const d = new Date(now);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + offset).getTime();
}

/**
 * What `--since` takes, as journalctl does: "10m", "90s", "2h", "1d" (ago, also "10m ago" and
 * "-10m"); "now", "today", "yesterday"; a clock time "22:20" or "22:20:05" (today, local time),
 * also after "yesterday"/"today"; or an ISO date/time. Null when it is none of these.
 */
export function parseSince(text: string, now = Date.now()): number | null {
  const t = text.trim().toLowerCase();
  const ago = parseDuration(t.replace(/^-/, '').replace(/\s+ago$/, ''));
  if (ago !== null) return now - ago;
  if (t === 'now') return now;
  const clock = /^(yesterday|today|tomorrow)?(?:(?:^|\s+)(\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(t);
  if (clock && (clock[1] !== undefined || clock[2] !== undefined)) {
    const [, day, hh, mm, ss] = clock;
    const hours = hh === undefined ? 0 : Number(hh);
    const minutes = mm === undefined ? 0 : Number(mm);
    const seconds = ss === undefined ? 0 : Number(ss);
    if (hours > 23 || minutes > 59 || seconds > 59) return null;
    const base = midnight(now, DAYS[day ?? 'today'] ?? 0);
    // Built from local fields (not base + ms) so a DST change on that day is honoured.
    const d = new Date(base);
    return new Date(d.getFullYear(), d.getMonth(), d.getDate(), hours, minutes, seconds).getTime();
  }
  if (!/^\d{4}-\d{2}-\d{2}/.test(t)) return null;
  const at = Date.parse(text.trim());
  return Number.isNaN(at) ? null : at;
}

export function matches(query: LogQuery, record: LogRecord): boolean {
  // A start mark only lends its time to the agent's output after it.
  if (isStartMark(record.json)) return false;
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

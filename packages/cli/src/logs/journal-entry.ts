/**
 * One `journalctl -o json` entry as a log record. MESSAGE is the pino line the unit printed on
 * stdout when it parses as one; anything else (a stack trace on stderr, systemd's own "Main
 * process exited" lines) is kept as a raw line at the journal's time and priority.
 */
import {
  type LogRecord,
  parsePinoLine,
  pinoRecord,
  rawLineLevel,
  rawRecord,
  type Unit,
} from './log-record.js';

export const JOURNAL_UNITS: Readonly<Record<Unit, string>> = {
  watchdog: 'vigil-watchdog.service',
  agent: 'vigil-agent.service',
};

export interface JournalEntry {
  record: LogRecord;
  cursor: string | null;
}

// journald stores MESSAGE as bytes: JSON shows it as an array of numbers when it is not UTF-8.
function messageText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return Buffer.from(value as number[]).toString('utf8');
  return '';
}

function unitOf(entry: Record<string, unknown>): Unit {
  for (const field of ['_SYSTEMD_UNIT', 'UNIT', 'OBJECT_SYSTEMD_UNIT']) {
    if (entry[field] === JOURNAL_UNITS.agent) return 'agent';
    if (entry[field] === JOURNAL_UNITS.watchdog) return 'watchdog';
  }
  return 'watchdog';
}

/**
 * The journal's priority where it says something: 0–4 as set by whoever logged, 7 debug, and 5–6
 * for systemd's own lines about the unit. The unit's own process gets 6 for everything it prints
 * (journald cannot tell stdout from stderr), so its raw output is read as in a log file.
 */
function priorityLevel(priority: unknown, message: string, fromUnitProcess: boolean): number {
  const value = typeof priority === 'string' && priority !== '' ? Number(priority) : Number.NaN;
  if (value <= 2) return 60;
  if (value === 3) return 50;
  if (value === 4) return 40;
  if (value === 7) return 20;
  if (fromUnitProcess || !Number.isInteger(value)) return rawLineLevel(message);
  return 30;
}

export function parseJournalLine(line: string): JournalEntry | null {
  let entry: Record<string, unknown>;
  try {
    const value: unknown = JSON.parse(line);
    if (typeof value !== 'object' || value === null) return null;
    entry = value as Record<string, unknown>;
  } catch {
    return null;
  }
  const message = messageText(entry.MESSAGE).replace(/\n+$/, '');
  const unit = unitOf(entry);
  const cursor = typeof entry.__CURSOR === 'string' ? entry.__CURSOR : null;
  const json = parsePinoLine(message);
  if (json) return { record: pinoRecord(message, json, unit), cursor };
  const time = Math.floor(Number(entry.__REALTIME_TIMESTAMP) / 1000);
  const fromUnitProcess = entry._SYSTEMD_UNIT === JOURNAL_UNITS[unit];
  const level = priorityLevel(entry.PRIORITY, message, fromUnitProcess);
  return { record: rawRecord(message, unit, Number.isFinite(time) ? time : Date.now(), level), cursor };
}

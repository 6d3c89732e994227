/**
 * One `journalctl -o json` entry as a log record. MESSAGE is the pino line the unit printed on
 * stdout when it parses as one; anything else (a stack trace on stderr, systemd's own "Main
 * process exited" lines) is kept as a raw line at the journal's time.
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

// syslog priorities 0–4 say more than the text does; 5–7 are the default for plain output.
function priorityLevel(priority: unknown, message: string): number {
  const value = typeof priority === 'string' && priority !== '' ? Number(priority) : Number.NaN;
  if (!Number.isInteger(value)) return rawLineLevel(message);
  if (value <= 2) return 60;
  if (value === 3) return 50;
  if (value === 4) return 40;
  if (value === 7) return 20;
  return rawLineLevel(message);
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
  const level = priorityLevel(entry.PRIORITY, message);
  return { record: rawRecord(message, unit, Number.isFinite(time) ? time : Date.now(), level), cursor };
}

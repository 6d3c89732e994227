/**
 * One short human line per log record, for a foreground `vigil run`: the full record still goes
 * to the log file as JSON. (`vigil logs` uses pino-pretty; this keeps it out of the daemon.)
 */

import { printable } from '../text/terminal-text.js';

const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO ',
  40: 'WARN ',
  50: 'ERROR',
  60: 'FATAL',
};

const SKIP = new Set(['level', 'levelName', 'time', 'pid', 'hostname', 'component', 'msg']);

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** One line for a terminal: whatever the record holds, no control character reaches it. */
export function formatHumanLine(line: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return `${printable(line.endsWith('\n') ? line.slice(0, -1) : line)}\n`;
  }
  if (record === null || typeof record !== 'object') return `${printable(line.trimEnd())}\n`;
  const time = new Date(typeof record.time === 'number' ? record.time : Date.now());
  const clock = `${pad(time.getHours())}:${pad(time.getMinutes())}:${pad(time.getSeconds())}.${pad(time.getMilliseconds(), 3)}`;
  const level = LEVELS[record.level as number] ?? String(record.level);
  const extras = Object.entries(record)
    .filter(([key]) => !SKIP.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
  return `${printable(`${clock} ${level} ${String(record.component ?? '').padEnd(8)} ${String(record.msg ?? '')}${extras ? `  ${extras}` : ''}`)}\n`;
}

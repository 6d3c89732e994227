/**
 * The agent's last few log lines for `vigil status`, like `systemctl status` shows: from
 * agent.log in embedded mode, from the journal under systemd when this user may read it;
 * otherwise the reason they cannot be shown.
 */
import { printable, type VigilPaths } from '@vigil/shared/core';
import type { LogRecord } from './logs/log-record.js';
import type { LogSource } from './logs/log-source.js';

export type AgentLogLines = { lines: string[] } | { unavailable: string };

const LEVEL_NAMES: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};
/** A status line each: a long message is cut, a stack trace shows its first line. */
const MAX_LINE_CHARS = 200;

function oneLine(record: LogRecord): string {
  const time = new Date(record.time);
  const clock = Number.isNaN(time.getTime()) ? '--:--:--' : time.toISOString().slice(11, 19);
  const level = LEVEL_NAMES[record.level] ?? String(record.level);
  const message = record.json ? String(record.json.msg ?? '') : record.line;
  const text = printable(message);
  const cut = text.length > MAX_LINE_CHARS ? `${text.slice(0, MAX_LINE_CHARS - 1)}…` : text;
  return `${clock} ${level.padEnd(5)} ${cut}`;
}

export async function agentLogLines(paths: VigilPaths, count: number): Promise<AgentLogLines> {
  if (count === 0) return { lines: [] };
  const query = { minLevel: 0, units: ['agent' as const], since: null, count, incident: null };
  let source: LogSource;
  // Each source is loaded only in its mode: the journal's (journalctl through execa) costs an
  // embedded status ~100 ms of start-up for nothing.
  if (paths.mode === 'systemd') {
    const { currentJournalAccessProblem } = await import('./systemd/journal-access.js');
    const problem = currentJournalAccessProblem();
    if (problem) return { unavailable: `the journal is not readable: ${problem}` };
    const { JournalLogSource } = await import('./logs/journal-source.js');
    source = new JournalLogSource(query);
  } else {
    const { FileLogSource } = await import('./logs/file-source.js');
    source = new FileLogSource([{ unit: 'agent', path: paths.agentLog }], query, { follow: false });
  }
  try {
    const records = await source.tail();
    if (records === null) return { unavailable: `no agent log at ${paths.agentLog} yet` };
    return { lines: records.map(oneLine) };
  } catch (error) {
    return { unavailable: `the agent log could not be read: ${(error as Error).message}` };
  } finally {
    await source.stop();
  }
}

/**
 * The agent log's last lines, for the context of an alert and an incident: read from the end
 * of agent.log, at most MAX_TAIL_BYTES, asynchronously (the loop never waits on the disk), the
 * file opened without following a link or blocking on a FIFO; each line neutralised and cut.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { isStartMark, printable } from '@vigil/shared';

/** Twenty lines of a chatty agent fit; a file of one endless line costs no more than this. */
export const MAX_TAIL_BYTES = 64 * 1024;
export const MAX_TAIL_LINE_CHARS = 300;

const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

function parse(line: string): Record<string, unknown> | null {
  if (!line.startsWith('{')) return null;
  try {
    const value = JSON.parse(line) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** A pino line as "time LEVEL msg"; any other line (the agent's stderr) as it is. */
function readable(line: string, record: Record<string, unknown> | null): string {
  if (record && typeof record.msg === 'string' && typeof record.time === 'number') {
    // The agent writes its own lines: a time no Date can hold leaves the line as it is.
    const at = new Date(record.time);
    if (Number.isNaN(at.getTime())) return line;
    const level = LEVELS[record.level as number] ?? String(record.level);
    return `${at.toISOString()} ${level} ${record.msg}`;
  }
  return line;
}

/**
 * The lines before the fault: a restart may have begun before the read, and its start mark (the
 * first one written at or after `faultAt`) ends what belongs to the agent that failed.
 */
function beforeRestart(
  lines: string[],
  faultAt: number,
): { line: string; record: Record<string, unknown> | null }[] {
  const out: { line: string; record: Record<string, unknown> | null }[] = [];
  for (const line of lines) {
    if (line.trim() === '') continue;
    const record = parse(line);
    if (isStartMark(record)) {
      if (typeof record?.time === 'number' && record.time >= faultAt) break;
      // An earlier start: what came before it is an earlier agent's, not the one that failed.
      out.length = 0;
      continue;
    }
    out.push({ line, record });
  }
  return out;
}

function cut(text: string): string {
  return text.length > MAX_TAIL_LINE_CHARS ? `${text.slice(0, MAX_TAIL_LINE_CHARS - 1)}…` : text;
}

/**
 * The last `count` lines of `path` written before `faultAt` (epoch ms) by the agent that failed,
 * oldest first; [] when there is no such regular file.
 */
export async function readLogTail(
  path: string,
  count: number,
  faultAt = Number.POSITIVE_INFINITY,
): Promise<string[]> {
  if (count <= 0) return [];
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return [];
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile() || stat.size === 0) return [];
    const length = Math.min(stat.size, MAX_TAIL_BYTES);
    const start = stat.size - length;
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, start);
    const lines = buffer.subarray(0, bytesRead).toString('utf8').split('\n');
    // The first line was cut by where the read began, unless it began at the file's start.
    if (start > 0) lines.shift();
    const kept = beforeRestart(lines, faultAt).slice(-count);
    return kept.map(({ line, record }) => cut(printable(readable(line, record))));
  } catch {
    return [];
  } finally {
    await handle.close().catch(() => {});
  }
}

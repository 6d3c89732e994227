/**
 * The last matching records of one log file, read backwards so the cost follows what is shown,
 * not the size of the file. A raw line takes the time of the pino line before it; that line is
 * further back, so raw lines wait in `pending` until it is reached. Raw lines at the very start
 * of a file take the time of the first pino line after them, or the file's mtime when the file
 * holds no pino line at all.
 */
import type { FileHandle } from 'node:fs/promises';
import { type LogQuery, lowerBound, matches } from './filters.js';
import {
  type LogRecord,
  parsePinoLine,
  pinoRecord,
  rawLineLevel,
  rawRecord,
  type Unit,
} from './log-record.js';
import { readLinesBackward } from './read-backward.js';

export interface TailInput {
  handle: FileHandle;
  /** Read `[0, end)`. */
  end: number;
  mtimeMs: number;
  unit: Unit;
  query: LogQuery;
}

export interface FileTail {
  /** Oldest first. */
  records: LogRecord[];
  /** The time of the last pino line in the file, when the read got that far (raw lines after it take it). */
  lastPinoTime: number | null;
}

export async function tailRecords(input: TailInput): Promise<FileTail> {
  const { query, unit } = input;
  const count = query.count ?? Number.POSITIVE_INFINITY;
  const bound = lowerBound(query);
  const collected: LogRecord[] = []; // newest first
  let pending: string[] = []; // raw lines newest first, all later than anything read so far
  let lastPinoTime: number | null = null;
  let earliestPinoTime: number | null = null;
  if (count === 0) return { records: [], lastPinoTime };

  const settle = (time: number): void => {
    for (const line of pending) {
      const record = rawRecord(line, unit, time);
      if (matches(query, record)) collected.push(record);
    }
    pending = [];
  };

  let reachedStart = true;
  for await (const line of readLinesBackward(input.handle, input.end)) {
    if (line === '') continue;
    const json = parsePinoLine(line);
    if (!json) {
      // They will share one time, so the older ones can only matter if fewer than `count` match.
      if (pending.length < count && rawLineLevel(line) >= query.minLevel) pending.push(line);
      continue;
    }
    const record = pinoRecord(line, json, unit);
    lastPinoTime ??= record.time;
    settle(record.time);
    if (collected.length >= count || (bound !== null && record.time < bound)) {
      reachedStart = false;
      break;
    }
    if (matches(query, record)) collected.push(record);
    earliestPinoTime = record.time;
    if (collected.length >= count) {
      reachedStart = false;
      break;
    }
  }
  if (reachedStart) settle(earliestPinoTime ?? input.mtimeMs);
  return { records: collected.slice(0, count).reverse(), lastPinoTime };
}

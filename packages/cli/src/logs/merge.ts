/**
 * Merges per-file record lists into one timeline. Each list keeps its own order (a file is the
 * order its process wrote it, even across a clock step); between lists the earlier time goes
 * first, and on a tie the list given first.
 */
import type { LogRecord } from './log-record.js';

export function mergeByTime(lists: readonly (readonly LogRecord[])[]): LogRecord[] {
  const heads = lists.map(() => 0);
  const total = lists.reduce((sum, list) => sum + list.length, 0);
  const merged: LogRecord[] = [];
  while (merged.length < total) {
    let pick = -1;
    let pickTime = Number.POSITIVE_INFINITY;
    lists.forEach((list, index) => {
      const record = list[heads[index] as number];
      if (record && (pick === -1 || record.time < pickTime)) {
        pick = index;
        pickTime = record.time;
      }
    });
    const list = lists[pick] as readonly LogRecord[];
    const at = heads[pick] as number;
    merged.push(list[at] as LogRecord);
    heads[pick] = at + 1;
  }
  return merged;
}

export function lastOf<T>(items: readonly T[], count: number | null): T[] {
  if (count === null || items.length <= count) return [...items];
  return count === 0 ? [] : items.slice(-count);
}

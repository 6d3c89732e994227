/**
 * Reading `state/history.jsonl` (written by the watchdog's history file): every event in it and
 * its rotated files, oldest first. A truncated or corrupt line is skipped with a warning and
 * never throws, so a damaged history never stops the watchdog nor `vigil history`.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { incidentEvent } from '../generated/incident-event.js';
import type { Logger } from '../logger.js';
import type { IncidentEvent } from '../protocol/incident.js';
import { type Parsed, type Validator, validatorOf } from '../schema/validator.js';

const { O_RDONLY, O_NOFOLLOW, O_NONBLOCK } = constants;

let validate: Validator<IncidentEvent> | undefined;

/** One line of the history file, parsed; the validator fills no defaults (the file holds none). */
export function parseIncidentEvent(value: unknown): Parsed<IncidentEvent> {
  validate ??= validatorOf(incidentEvent);
  return validate(value);
}

export interface ReadHistoryResult {
  events: IncidentEvent[];
  skipped: number;
}

/** The last `budget` bytes of a regular file (never a link or a FIFO), and whether that is all of it. */
function readEnd(file: string, budget: number): { text: string; whole: boolean } | null {
  let fd: number;
  try {
    fd = openSync(file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return null;
    const length = Math.min(st.size, budget);
    const buffer = Buffer.alloc(length);
    let read = 0;
    while (read < length) {
      const n = readSync(fd, buffer, read, length - read, st.size - length + read);
      if (n <= 0) break;
      read += n;
    }
    return { text: buffer.subarray(0, read).toString('utf8'), whole: length === st.size };
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/**
 * Events in the history, oldest first, across rotated files: the newest `maxBytes` of them
 * (read from the end of each file, newest file first), or all of them when unbounded.
 */
export function readHistory(
  path: string,
  keep = 10,
  logger?: Logger,
  maxBytes = Number.POSITIVE_INFINITY,
): ReadHistoryResult {
  validate ??= validatorOf(incidentEvent);
  const chunks: IncidentEvent[][] = [];
  let skipped = 0;
  let budget = maxBytes;
  const files = [path, ...Array.from({ length: keep }, (_, i) => `${path}.${i + 1}`)];
  for (const file of files) {
    if (budget <= 0) break;
    const end = readEnd(file, budget);
    if (!end) continue;
    budget -= Buffer.byteLength(end.text);
    const lines = end.text.split('\n');
    // A read that starts mid-file starts mid-line: that first piece is not a whole event.
    if (!end.whole) lines.shift();
    const events: IncidentEvent[] = [];
    lines.forEach((line, index) => {
      if (!line.trim()) return;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        skipped++;
        logger?.warn({ file, line: index + 1 }, 'skipped a corrupt line in the incident history');
        return;
      }
      const parsed = (validate as NonNullable<typeof validate>)(value);
      if (parsed.ok) events.push(parsed.value);
      else {
        skipped++;
        logger?.warn(
          { file, line: index + 1, errors: parsed.errors },
          'skipped an invalid line in the incident history',
        );
      }
    });
    chunks.unshift(events);
  }
  return { events: chunks.flat(), skipped };
}

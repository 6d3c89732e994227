/**
 * What the status page shows of the pair, read from the files the watchdog writes: its status
 * file (rewritten atomically on every change: pair state, checks, recent incidents) and its
 * history file (the last day's incidents). Files, not the control socket: a read costs the
 * watchdog nothing, cannot be mistaken for control, and still answers from the last state
 * written when the watchdog is gone.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import {
  checkStatus,
  foldIncidents,
  type Incident,
  type IncidentEvent,
  parseIncidentEvent,
  type StatusSnapshot,
} from '@vigil/shared';

const MAX_STATUS_BYTES = 1024 * 1024;
/** The end of the history file that is read: a day of incidents fits many times over. */
const MAX_HISTORY_BYTES = 1024 * 1024;
const DAY_MS = 24 * 60 * 60 * 1000;

export type StatusRead = { ok: true; snapshot: StatusSnapshot; text: string } | { ok: false; reason: string };

/** The last `maxBytes` of a regular file, opened without following a link or blocking on a FIFO. */
async function readEnd(
  path: string,
  maxBytes: number,
): Promise<{ text: string; cut: boolean } | { reason: string }> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    return { reason: (error as NodeJS.ErrnoException).code ?? (error as Error).message };
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) return { reason: 'not a regular file' };
    const length = Math.min(stat.size, maxBytes);
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, stat.size - length);
    return { text: buffer.subarray(0, bytesRead).toString('utf8'), cut: stat.size > length };
  } catch (error) {
    // EIO and the like: a page that cannot read the file says so; the agent goes on.
    return { reason: (error as NodeJS.ErrnoException).code ?? (error as Error).message };
  } finally {
    await handle.close().catch(() => {});
  }
}

export async function readPairStatus(path: string): Promise<StatusRead> {
  const file = await readEnd(path, MAX_STATUS_BYTES);
  if ('reason' in file) return { ok: false, reason: `status file ${path}: ${file.reason}` };
  if (file.cut) return { ok: false, reason: `status file ${path}: larger than a status file can be` };
  let value: unknown;
  try {
    value = JSON.parse(file.text);
  } catch {
    return { ok: false, reason: `status file ${path}: not valid JSON` };
  }
  const checked = checkStatus(value);
  if (!checked.ok) return { ok: false, reason: `status file ${path}: ${checked.reason}` };
  return { ok: true, snapshot: checked.value, text: file.text };
}

/** The incidents opened in the last day, from the end of the history file. */
export async function readLastDay(path: string, nowWall = Date.now()): Promise<Incident[]> {
  const file = await readEnd(path, MAX_HISTORY_BYTES);
  if ('reason' in file) return [];
  const lines = file.text.split('\n');
  if (file.cut) lines.shift();
  const events: IncidentEvent[] = [];
  for (const line of lines) {
    if (line.trim() === '') continue;
    try {
      const checked = parseIncidentEvent(JSON.parse(line));
      if (checked.ok) events.push(checked.value);
    } catch {
      // A torn or foreign line says nothing about an incident.
    }
  }
  return foldIncidents(events).filter((incident) => incident.openedAt >= nowWall - DAY_MS);
}

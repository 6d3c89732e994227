/**
 * The status object as the CLI receives it, from the watchdog or from `run/status.json`, checked
 * against its schema before any renderer sees it: a damaged file (another version, a half-copied
 * backup, a hand edit) is a clear "unreadable", never a crash in the middle of a view.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { statusSnapshot } from '../generated/status-snapshot.js';
import type { StatusSnapshot } from '../protocol/status.js';
import { type Validator, validatorOf } from '../schema/validator.js';

/** A status file is a few KiB; past this it is not one. */
const MAX_STATUS_BYTES = 1024 * 1024;
/** An operator needs the first problems, not hundreds. */
const MAX_PROBLEMS = 3;

export type StatusRead =
  | { kind: 'ok'; snapshot: StatusSnapshot; ageMs: number }
  | { kind: 'absent' }
  | { kind: 'unreadable'; reason: string };

export type Checked<T> = { ok: true; value: T } | { ok: false; reason: string };

let validateSnapshot: Validator<StatusSnapshot> | undefined;

export function summarise(errors: string[]): string {
  const shown = errors.slice(0, MAX_PROBLEMS).join('; ');
  return errors.length > MAX_PROBLEMS ? `${shown}; and ${errors.length - MAX_PROBLEMS} more` : shown;
}

/** A status object, or what is wrong with it. */
export function checkStatus(value: unknown): Checked<StatusSnapshot> {
  validateSnapshot ??= validatorOf(statusSnapshot);
  const parsed = validateSnapshot(value);
  return parsed.ok ? parsed : { ok: false, reason: summarise(parsed.errors) };
}

/** The file's text: opened without following a link or blocking on a FIFO, at most 1 MiB. */
function readSmallFile(path: string): { text: string } | { absent: true } | { reason: string } {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { absent: true };
    if (code === 'ELOOP') return { reason: 'it is a symbolic link, which vigil does not follow' };
    if (code === 'EACCES' || code === 'EPERM') return { reason: `permission denied (${code})` };
    return { reason: code ?? (error as Error).message };
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { reason: 'not a regular file' };
    if (st.size > MAX_STATUS_BYTES) return { reason: `${st.size} bytes, larger than a status file can be` };
    const buffer = Buffer.alloc(st.size);
    let read = 0;
    while (read < buffer.length) {
      const n = readSync(fd, buffer, read, buffer.length - read, read);
      if (n <= 0) break;
      read += n;
    }
    return { text: buffer.subarray(0, read).toString('utf8') };
  } catch (error) {
    return { reason: (error as NodeJS.ErrnoException).code ?? (error as Error).message };
  } finally {
    closeSync(fd);
  }
}

/** `run/status.json`: the last state the watchdog wrote, with its age, or why it cannot be shown. */
export function readStatusFile(path: string, nowWall = Date.now()): StatusRead {
  const file = readSmallFile(path);
  if ('absent' in file) return { kind: 'absent' };
  if ('reason' in file) return { kind: 'unreadable', reason: file.reason };
  let value: unknown;
  try {
    value = JSON.parse(file.text);
  } catch {
    // JSON.parse's message quotes the text; a file that is not ours is not echoed.
    return { kind: 'unreadable', reason: file.text.trim() === '' ? 'the file is empty' : 'not valid JSON' };
  }
  const checked = checkStatus(value);
  if (!checked.ok) return { kind: 'unreadable', reason: checked.reason };
  return {
    kind: 'ok',
    snapshot: checked.value,
    ageMs: Math.max(0, nowWall - checked.value.updatedAt),
  };
}

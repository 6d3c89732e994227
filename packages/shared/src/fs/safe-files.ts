/**
 * Files a daemon writes inside its own home, opened so that nothing planted there can aim the
 * write elsewhere: the last component is never followed (O_NOFOLLOW), a temp file is always new
 * (O_EXCL), and what was opened is checked with fstat (a regular file, ours, one link) before a
 * byte is written. A planted symlink or hard link is moved aside and reported, never written
 * through. Folders are checked with lstat: a real folder, ours, no wider than asked.
 */
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  constants,
  fchmodSync,
  fchownSync,
  fstatSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  type Stats,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, isAbsolute, relative, resolve } from 'node:path';
import { sharedErrors } from '../errors.js';

const { O_WRONLY, O_RDONLY, O_APPEND, O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK } = constants;

/** Who is told when a planted link is moved aside (a pino logger fits). */
export interface PlantedLinkReporter {
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface SafeOpenOptions {
  mode?: number;
  /** Told when something planted at the path was moved aside; without it, nothing is said. */
  report?: PlantedLinkReporter | undefined;
}

function euid(): number {
  return process.geteuid?.() ?? 0;
}

function errno(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException).code;
}

/** Why an opened file may not be written: not a regular file, another owner, or hard-linked. */
function problemWith(st: Stats): string | null {
  if (!st.isFile()) return 'is not a regular file';
  if (st.uid !== euid()) return `is owned by uid ${st.uid}, not by uid ${euid()} that runs vigil`;
  if (st.nlink > 1) return `has ${st.nlink} hard links (another name points at the same file)`;
  return null;
}

/** Renames what sits at `path` to `path.planted-<time>-<rand>` so the name is free again. */
function moveAside(path: string, why: string, report: PlantedLinkReporter | undefined): void {
  const aside = `${path}.planted-${Date.now()}-${randomBytes(3).toString('hex')}`;
  try {
    renameSync(path, aside);
  } catch (error) {
    if (errno(error) === 'ENOENT') return;
    throw unsafe(path, `${why}, and it cannot be moved aside: ${(error as Error).message}`);
  }
  report?.warn({ path, movedTo: aside, why }, 'moved a planted file aside instead of writing through it');
}

function unsafe(path: string, problem: string) {
  return sharedErrors.create('VIGIL_PATH_UNSAFE', `refusing to write ${path}: it ${problem}`, {
    detail: { path },
  });
}

/**
 * Opens `path` for appending, creating it when absent. A symlink, a hard link, a FIFO or a file
 * of another owner at that name is moved aside (and reported) and a fresh file is created.
 */
export function openAppend(path: string, options: SafeOpenOptions = {}): number {
  const mode = options.mode ?? 0o600;
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      // O_NONBLOCK: a FIFO planted at the name must not block the open.
      fd = openSync(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK, mode);
    } catch (error) {
      const code = errno(error);
      if (code === 'ELOOP' || code === 'ENXIO' || code === 'EISDIR') {
        moveAside(
          path,
          code === 'ELOOP' ? 'it is a symbolic link' : 'it is not a regular file',
          options.report,
        );
        continue;
      }
      throw error;
    }
    const problem = problemWith(fstatSync(fd));
    if (problem === null) return fd;
    closeSync(fd);
    moveAside(path, problem.replace(/^is /, 'it is ').replace(/^has /, 'it has '), options.report);
  }
  throw unsafe(path, 'keeps being replaced while vigil opens it');
}

/** Appends `data` to `path` (opened as `openAppend` does), optionally fsync'd. */
export function appendFileSafe(
  path: string,
  data: string,
  options: SafeOpenOptions & { fsync?: boolean } = {},
) {
  const fd = openAppend(path, options);
  try {
    writeAll(fd, data);
    if (options.fsync) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** write(2) until every byte is out; a short write (a full disk) throws with ENOSPC. */
export function writeAll(fd: number, data: string | Buffer): void {
  const buffer = typeof data === 'string' ? Buffer.from(data) : data;
  let offset = 0;
  while (offset < buffer.length) {
    const n = writeSync(fd, buffer, offset, buffer.length - offset);
    if (n <= 0) {
      const error = new Error('short write: no space left') as NodeJS.ErrnoException;
      error.code = 'ENOSPC';
      throw error;
    }
    offset += n;
  }
}

export interface WriteAtomicOptions extends SafeOpenOptions {
  /** fsync the temp file before the rename (history-grade durability); default off. */
  fsync?: boolean;
  /** Owner of the new file, set on its descriptor (root writing a file for a group). */
  owner?: { uid: number; gid: number };
}

/**
 * Replaces `path` with `text` atomically: a new temp file beside it (O_EXCL with a random name,
 * so a planted temp name is never written through), then rename(2), which replaces a link at
 * `path` itself rather than following it. A reader sees the old file or the new one, never half.
 */
export function writeFileAtomic(path: string, text: string | Buffer, options: WriteAtomicOptions = {}): void {
  const tmp = `${dirname(path)}/.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, options.mode ?? 0o600);
  try {
    try {
      writeAll(fd, text);
      // On the descriptor, not the name: the name could be swapped for a link meanwhile. The
      // mode given to open is masked by the umask; the file must have exactly `mode`.
      if (options.mode !== undefined) fchmodSync(fd, options.mode);
      if (options.owner) fchownSync(fd, options.owner.uid, options.owner.gid);
      if (options.fsync) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (error) {
    try {
      unlinkSync(tmp);
    } catch {
      // Already renamed, or never created.
    }
    throw error;
  }
}

export interface EnsureDirOptions {
  /** The mode the folder must have; a wider one on a folder of ours is narrowed to it. */
  mode: number;
  report?: PlantedLinkReporter | undefined;
}

/**
 * Makes sure `path` is a real folder of ours with `mode`, creating it (and missing parents,
 * with the same mode) when absent. A symlink or a non-folder at the name, or a folder of another
 * owner, is refused with VIGIL_PATH_UNSAFE: vigil never puts its files where someone else points.
 */
export function ensureDir(path: string, options: EnsureDirOptions): void {
  let st: Stats;
  try {
    st = lstatSync(path);
  } catch (error) {
    if (errno(error) !== 'ENOENT') throw error;
    const parent = dirname(path);
    if (parent !== path) {
      try {
        lstatSync(parent);
      } catch (parentError) {
        if (errno(parentError) !== 'ENOENT') throw parentError;
        ensureDir(parent, options);
      }
    }
    try {
      mkdirSync(path, { mode: options.mode });
    } catch (mkdirError) {
      if (errno(mkdirError) !== 'EEXIST') throw mkdirError;
    }
    st = lstatSync(path);
  }
  if (st.isSymbolicLink()) {
    throw sharedErrors.create('VIGIL_PATH_UNSAFE', `${path} is a symbolic link, not a folder`, {
      hint: `vigil never follows a link inside its home. Remove it (rm ${path}) and vigil recreates the folder.`,
      detail: { path },
    });
  }
  if (!st.isDirectory()) {
    throw sharedErrors.create('VIGIL_PATH_UNSAFE', `${path} is not a folder`, {
      hint: `Move ${path} away; vigil recreates the folder.`,
      detail: { path },
    });
  }
  if (st.uid !== euid()) {
    throw sharedErrors.create(
      'VIGIL_PATH_UNSAFE',
      `${path} is owned by uid ${st.uid}, not by uid ${euid()} that runs vigil`,
      { hint: `chown ${euid()} ${path}, or remove it so vigil recreates it.`, detail: { path } },
    );
  }
  if ((st.mode & 0o777 & ~options.mode) !== 0) {
    chmodSync(path, options.mode);
    options.report?.warn(
      { path, was: (st.mode & 0o777).toString(8), now: options.mode.toString(8) },
      'narrowed the mode of a folder',
    );
  }
}

export interface ReadInsideOptions {
  /** The folder the file must be inside (after resolving `..`); symlinks are never followed. */
  within: string;
  maxBytes: number;
}

/**
 * Reads a file whose name came from someone less trusted (the agent names its stall file): only
 * a regular file inside `within`, opened without following a link and without blocking (a FIFO
 * named there must not stall the reader), at most `maxBytes`. Null when any of that fails.
 */
export function readRegularFileInside(path: string, options: ReadInsideOptions): string | null {
  if (!isAbsolute(path)) return null;
  const resolved = resolve(path);
  const rel = relative(resolve(options.within), resolved);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return null;
  // Every folder between `within` and the file must be a real folder, not a link out.
  let dir = dirname(resolved);
  while (dir !== resolve(options.within) && dir !== dirname(dir)) {
    try {
      if (!lstatSync(dir).isDirectory()) return null;
    } catch {
      return null;
    }
    dir = dirname(dir);
  }
  let fd: number;
  try {
    fd = openSync(resolved, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.size > options.maxBytes) return null;
    const buffer = Buffer.alloc(Math.min(options.maxBytes, Math.max(0, st.size)));
    let read = 0;
    while (read < buffer.length) {
      const n = readSync(fd, buffer, read, buffer.length - read, read);
      if (n <= 0) break;
      read += n;
    }
    return buffer.subarray(0, read).toString('utf8');
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

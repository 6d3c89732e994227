/**
 * An operating-system error (EACCES, EROFS, ENOTDIR…) is the operator's to fix, not a bug in
 * vigil: it is told in one paragraph naming the path and what to do, never as a stack trace.
 */

export interface OsError extends Error {
  code: string;
  syscall?: string;
  path?: string;
  dest?: string;
}

/** Node's errno errors: a `code` such as EACCES and the system call that failed. */
export function isOsError(error: unknown): error is OsError {
  if (!(error instanceof Error)) return false;
  const { code, syscall, errno } = error as Partial<OsError> & { errno?: unknown };
  return (
    typeof code === 'string' &&
    /^E[A-Z0-9]+$/.test(code) &&
    (typeof syscall === 'string' || typeof errno === 'number')
  );
}

const ACTIONS: Record<string, string> = {
  mkdir: 'create the folder',
  open: 'open',
  read: 'read',
  write: 'write',
  rename: 'rename',
  unlink: 'remove',
  rmdir: 'remove the folder',
  chmod: 'change the mode of',
  fchmod: 'change the mode of',
  chown: 'change the owner of',
  lstat: 'look at',
  stat: 'look at',
  scandir: 'list',
  listen: 'listen on',
  connect: 'connect to',
  bind: 'listen on',
  access: 'reach',
  symlink: 'link',
  fsync: 'sync',
};

function uid(): string {
  return process.getuid ? ` (uid ${process.getuid()})` : '';
}

/** What the operator can do about it, by errno. */
function remedy(code: string, home: string | null): string {
  const inHome = home
    ? `point VIGIL_HOME (now ${home}) at a folder this user owns`
    : 'choose a folder this user owns';
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return `this user${uid()} may not do that there: run as the user that owns it, or ${inHome}`;
    case 'EROFS':
      return `the file system is read-only: ${inHome} on a writable file system`;
    case 'ENOTDIR':
      return 'a part of the path is a file where a folder must be: move that file away, or choose another path';
    case 'EISDIR':
      return 'a folder sits where a file must be: move it away, or choose another path';
    case 'ENOENT':
      return 'a folder on the way does not exist: create it, or choose another path';
    case 'ELOOP':
      return 'the path goes through a symbolic link vigil will not follow (or a loop of them): replace it with a real folder';
    case 'ENOSPC':
    case 'EDQUOT':
      return 'the disk (or this user’s quota) is full: free some space';
    case 'EMFILE':
    case 'ENFILE':
      return 'too many files are open: raise the limit (ulimit -n, LimitNOFILE=) or close some';
    case 'ENAMETOOLONG':
      return 'the path is too long: choose a shorter one';
    case 'EEXIST':
      return 'something is already there: move it away';
    case 'EADDRINUSE':
      return 'another process is listening there: stop it first';
    default:
      return 'check the path, its owner and its mode';
  }
}

/** One paragraph: what could not be done to which path, why in words, and what to do. */
export function describeOsError(error: OsError, context: { home?: string | null } = {}): string {
  const action = (error.syscall && ACTIONS[error.syscall]) ?? error.syscall ?? 'use';
  const path = error.path ? ` ${error.path}${error.dest ? ` → ${error.dest}` : ''}` : '';
  // Node's message is "EACCES: permission denied, mkdir '/x'": the words between are the reason.
  const words = /^[A-Z0-9]+: ([^,]+)/.exec(error.message)?.[1] ?? error.message;
  return `cannot ${action}${path}: ${words} (${error.code})\n  hint: ${remedy(error.code, context.home ?? null)}.`;
}

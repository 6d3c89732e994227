/**
 * A process's cgroup v2 `cgroup.events` file, found from /proc/PID/cgroup. The kernel rewrites
 * it (`populated 1` → `populated 0`) when the last process of the cgroup (and of its children)
 * exits, and raises an inotify modify event on it: in systemd mode that is the agent unit
 * emptying, seen without polling.
 *
 * The path comes from /proc (the `0::/…` line, relative to the cgroup2 mount) and is trusted no
 * further than it is checked: no `.`, `..` or empty segment, no control character, not the root
 * cgroup; joined under the cgroup2 mount (/sys/fs/cgroup, or /sys/fs/cgroup/unified on a hybrid
 * host), it must resolve to itself (no symbolic link on the way), lie on a cgroup2 file system,
 * read like a cgroup.events file, and the cgroup's cgroup.procs must list the process (a path
 * from another cgroup namespace than the mount's names some other cgroup, or none).
 */
import { readFileSync, realpathSync, statfsSync } from 'node:fs';
import { posix } from 'node:path';

/** statfs(2) f_type of cgroup2 (linux/magic.h). */
export const CGROUP2_SUPER_MAGIC = 0x63677270;

/** Where cgroup2 is mounted: on its own (unified), or beside the v1 hierarchies (hybrid). */
export const CGROUP2_MOUNTS = ['/sys/fs/cgroup', '/sys/fs/cgroup/unified'] as const;

/**
 * The cgroup v2 path of a /proc/PID/cgroup text (the `0::` line), or null: none (cgroup v1
 * only), the root cgroup (which has no cgroup.events), or a path that fails the checks above.
 */
export function parseCgroupV2Path(text: string): string | null {
  const line = text.split('\n').find((l) => l.startsWith('0::'));
  return line === undefined ? null : validCgroupPath(line.slice(3));
}

/** `path` when it is an absolute cgroup path below the root with nothing that could climb out. */
export function validCgroupPath(path: string): string | null {
  if (!path.startsWith('/') || path === '/' || path.length > 4096) return null;
  // A removed cgroup still named by a zombie reads `/x (deleted)`: there is nothing to watch.
  if (path.endsWith(' (deleted)')) return null;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused.
  if (/[\u0000-\u001f\u007f]/.test(path)) return null;
  const segments = path.slice(1).split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return null;
  return path;
}

/** `<mount><path>/cgroup.events`, or null unless it is a normal path strictly below `mount`. */
export function cgroupEventsFile(mount: string, path: string): string | null {
  if (!posix.isAbsolute(mount) || posix.normalize(mount) !== mount || mount.endsWith('/')) return null;
  const valid = validCgroupPath(path);
  if (valid === null) return null;
  const file = `${mount}${valid}/cgroup.events`;
  return posix.normalize(file) === file && file.startsWith(`${mount}/`) ? file : null;
}

function isCgroup2(path: string): boolean {
  try {
    return statfsSync(path).type === CGROUP2_SUPER_MAGIC;
  } catch {
    return false;
  }
}

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

export type CgroupEventsLookup = { file: string } | { file: null; reason: string };

/**
 * The cgroup.events file to watch for the cgroup of `pid`, or why there is none. `exclude`: the
 * watchdog's own cgroup path; a cgroup that holds it never empties while it looks.
 */
export function findCgroupEvents(
  pid: number,
  options: { mounts?: readonly string[]; exclude?: string | null } = {},
): CgroupEventsLookup {
  const text = readText(`/proc/${pid}/cgroup`);
  if (text === null) return { file: null, reason: `/proc/${pid}/cgroup cannot be read` };
  const path = parseCgroupV2Path(text);
  if (path === null) {
    return { file: null, reason: `/proc/${pid}/cgroup names no cgroup v2 below the root (cgroup v1 only?)` };
  }
  const own = options.exclude;
  if (own && (own === path || own.startsWith(`${path}/`))) {
    return {
      file: null,
      reason: `the cgroup of pid ${pid} (${path}) holds the watchdog too, so never empties`,
    };
  }
  const mount = (options.mounts ?? CGROUP2_MOUNTS).find(isCgroup2);
  if (mount === undefined) {
    return { file: null, reason: `no cgroup2 mount at ${(options.mounts ?? CGROUP2_MOUNTS).join(' or ')}` };
  }
  const file = cgroupEventsFile(mount, path);
  if (file === null) return { file: null, reason: `${mount}${path} is not a path below ${mount}` };
  let real: string;
  try {
    real = realpathSync(file);
  } catch (error) {
    return { file: null, reason: `${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}` };
  }
  if (real !== file) return { file: null, reason: `${file} resolves to ${real}` };
  if (!isCgroup2(file)) return { file: null, reason: `${file} is not on a cgroup2 file system` };
  if (!/^populated [01]$/m.test(readText(file) ?? '')) {
    return { file: null, reason: `${file} does not read like cgroup.events` };
  }
  const procs = readText(`${mount}${path}/cgroup.procs`);
  if (procs === null || !procs.split('\n').includes(String(pid))) {
    return { file: null, reason: `${mount}${path}/cgroup.procs does not list pid ${pid}` };
  }
  return { file };
}

/** The cgroup v2 path of this process, or null. */
export function ownCgroupPath(): string | null {
  const text = readText('/proc/self/cgroup');
  return text === null ? null : parseCgroupV2Path(text);
}

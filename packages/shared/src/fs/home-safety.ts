/**
 * The StrictModes check (as sshd does for ~/.ssh): before a daemon trusts its home, nobody else
 * may be able to aim it. Every folder from `/` down to the home must belong to root or to the
 * user vigil runs as, and must not be writable by others unless it has the sticky bit (as /tmp
 * does). The home and every folder under it must belong to the user vigil runs as and be
 * writable by nobody else. Each problem names the path and the command that fixes it.
 */
import { lstatSync, readdirSync, type Stats } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { sharedErrors } from '../errors.js';

export interface HomeProblem {
  path: string;
  problem: string;
  fix: string;
}

const STICKY = 0o1000;

function euid(): number {
  return process.geteuid?.() ?? 0;
}

function writableByOthers(st: Stats): 'group' | 'others' | null {
  if (st.mode & 0o002) return 'others';
  if (st.mode & 0o020) return 'group';
  return null;
}

function octal(st: Stats): string {
  return (st.mode & 0o7777).toString(8).padStart(4, '0');
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

/** Problems with the folders above the home: each must be root's or ours, and not open to writes. */
function checkAncestors(home: string, uid: number, out: HomeProblem[]): void {
  for (let dir = dirname(home); ; dir = dirname(dir)) {
    const st = lstatOrNull(dir);
    if (st && !st.isSymbolicLink()) {
      if (st.uid !== 0 && st.uid !== uid) {
        out.push({
          path: dir,
          problem: `is owned by uid ${st.uid}, who could replace what lies below it`,
          fix: `chown root ${dir}, or choose a VIGIL_HOME outside it`,
        });
      }
      const who = writableByOthers(st);
      if (who && !(st.mode & STICKY)) {
        out.push({
          path: dir,
          problem: `is writable by ${who} (mode ${octal(st)}) without the sticky bit`,
          fix: `chmod go-w ${dir}, or choose a VIGIL_HOME outside it`,
        });
      }
    }
    if (dir === dirname(dir)) break;
  }
}

/** The home itself and every folder below it (bounded): ours, and writable by nobody else. */
function checkOwnTree(home: string, uid: number, out: HomeProblem[], budget = { left: 500 }): void {
  const st = lstatOrNull(home);
  if (!st || budget.left-- <= 0) return;
  if (st.isSymbolicLink()) {
    out.push({
      path: home,
      problem: 'is a symbolic link; vigil never follows a link inside its home',
      fix: `rm ${home} (vigil recreates it), or point VIGIL_HOME at the real folder`,
    });
    return;
  }
  if (!st.isDirectory()) return;
  if (st.uid !== uid) {
    out.push({
      path: home,
      problem: `is owned by uid ${st.uid}, not by uid ${uid} that runs vigil`,
      fix: `chown -R ${uid} ${home}, or remove it so vigil recreates it`,
    });
  }
  const who = writableByOthers(st);
  if (who && !(st.mode & STICKY)) {
    out.push({
      path: home,
      problem: `is writable by ${who} (mode ${octal(st)})`,
      fix: `chmod go-w ${home}`,
    });
  }
  let names: string[];
  try {
    names = readdirSync(home);
  } catch {
    return;
  }
  for (const name of names) {
    const child = join(home, name);
    const cst = lstatOrNull(child);
    if (cst?.isDirectory()) checkOwnTree(child, uid, out, budget);
  }
}

/** Every problem with `home` (absolute); empty when it is safe to run on. */
export function findHomeProblems(home: string, uid = euid()): HomeProblem[] {
  const path = resolve(home);
  const out: HomeProblem[] = [];
  checkAncestors(path, uid, out);
  checkOwnTree(path, uid, out);
  return out;
}

/**
 * Refuses (VIGIL_HOME_UNSAFE) to run on a home that another user could aim: `dirs` are the
 * folders vigil will use (the home, or under systemd its run, state and log folders).
 */
export function assertHomeSafe(dirs: readonly string[], uid = euid()): void {
  const seen = new Set<string>();
  const problems: HomeProblem[] = [];
  for (const dir of dirs) {
    for (const p of findHomeProblems(dir, uid)) {
      const key = `${p.path}\0${p.problem}`;
      if (seen.has(key)) continue;
      seen.add(key);
      problems.push(p);
    }
  }
  if (problems.length === 0) return;
  const lines = problems.map((p) => `  ${p.path} ${p.problem}\n    fix: ${p.fix}`);
  throw sharedErrors.create(
    'VIGIL_HOME_UNSAFE',
    `refusing to run: another user could aim vigil at files it does not own:\n${lines.join('\n')}`,
    {
      hint: 'vigil checks its folders as sshd StrictModes does; fix each path above and start again.',
      detail: { problems },
    },
  );
}

/**
 * Before `vigil install` writes units that run a checkout as root (and links /usr/local/bin/vigil
 * to its launcher), nobody but root and the installing user may be able to change that code: the
 * prefix and every folder above it, through any links, and the --root target likewise. Each
 * folder must belong to root or the installing user and be writable by neither group nor others.
 *
 * A world-writable folder above them is accepted only with the sticky bit (as /tmp has): in a
 * sticky folder only an entry's owner, the folder's owner or root may rename or remove it, so
 * /tmp/x owned by root (mode 0755) cannot be swapped by another user, and x's own owner and mode
 * are checked as the next step down. The prefix and the --root target themselves get no such
 * allowance: anyone could still add files to a sticky folder, such as a node_modules the code
 * would load.
 */
import { lstatSync, readFileSync, realpathSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { VigilError } from '@vigil/shared';
import { cliErrors } from '../errors.js';

export interface UntrustedPath {
  path: string;
  /** The path checked itself (or where its link leads), not a folder above it. */
  itself: boolean;
  /** What is wrong, e.g. "is writable by group (mode 0775)". */
  problem: string;
  fix: string;
}

const STICKY = 0o1000;

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

function ownerName(uid: number): string {
  try {
    const line = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .find((entry) => entry.split(':')[2] === String(uid));
    return line ? `uid ${uid} (${line.split(':')[0]})` : `uid ${uid}`;
  } catch {
    return `uid ${uid}`;
  }
}

/** The path as given and, when a link lies on the way, where it really is: both are checked. */
function lexicalAndReal(path: string): string[] {
  const lexical = resolve(path);
  try {
    const real = realpathSync(lexical);
    return real === lexical ? [lexical] : [lexical, real];
  } catch {
    return [lexical];
  }
}

function check(
  dir: string,
  st: Stats,
  itself: boolean,
  trusted: readonly number[],
  out: UntrustedPath[],
): void {
  if (!trusted.includes(st.uid)) {
    out.push({
      path: dir,
      itself,
      problem: `is owned by ${ownerName(st.uid)}, who could change what the units run`,
      fix: `chown ${itself ? '-R ' : ''}root ${dir}`,
    });
  }
  const who = st.mode & 0o002 ? 'others' : st.mode & 0o020 ? 'group' : null;
  if (who && (itself || !(st.mode & STICKY))) {
    const mode = (st.mode & 0o7777).toString(8).padStart(4, '0');
    out.push({
      path: dir,
      itself,
      problem: `is writable by ${who} (mode ${mode}${st.mode & STICKY ? ', sticky' : ''})`,
      fix: `chmod ${itself ? '-R ' : ''}go-w ${dir}`,
    });
  }
}

/** Who other than `trusted` could change `path` or a folder above it; empty when nobody can. */
export function findUntrustedWriters(path: string, trusted: readonly number[]): UntrustedPath[] {
  const out: UntrustedPath[] = [];
  const seen = new Set<string>();
  for (const start of lexicalAndReal(path)) {
    for (let dir = start; ; dir = dirname(dir)) {
      const st = lstatOrNull(dir);
      // A link cannot be changed in place, only replaced through its folder (checked next); its
      // target is walked as the real path. A folder not made yet is made by install, 0755.
      if (st && !st.isSymbolicLink() && !seen.has(dir)) {
        seen.add(dir);
        check(dir, st, dir === start, trusted, out);
      }
      if (dir === dirname(dir)) break;
    }
  }
  return out;
}

/**
 * The refusal (VIGIL_INSTALL_PATH_UNSAFE) when another user could change the prefix (the code the
 * units run as root) or the --root tree the units are written into; null when nobody can.
 */
export function untrustedInstallPaths(
  paths: { prefix: string; root?: string | undefined },
  trusted: readonly number[] = [0, process.geteuid?.() ?? 0],
): VigilError | null {
  const named: [string, string][] = [[paths.prefix, 'the prefix']];
  if (paths.root !== undefined) named.push([paths.root, 'the --root target']);
  const problems = named.flatMap(([path, role]) =>
    findUntrustedWriters(path, trusted).map((p) => ({ ...p, role: p.itself ? role : `above ${role}` })),
  );
  if (problems.length === 0) return null;
  const lines = problems.map((p) => `  ${p.path} (${p.role}) ${p.problem}\n    fix: ${p.fix}`);
  return cliErrors.create(
    'VIGIL_INSTALL_PATH_UNSAFE',
    `refusing to install: the units would run code as root that another user could change:\n${lines.join('\n')}`,
    {
      hint: 'Fix each path above, or build a copy in a folder only root can write (e.g. /opt/vigil) and pass --prefix; nothing was written.',
      detail: { problems },
    },
  );
}

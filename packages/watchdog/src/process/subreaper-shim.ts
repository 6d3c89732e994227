/**
 * Embedded mode starts the agent through a tiny perl shim that makes it a child subreaper
 * (prctl(PR_SET_CHILD_SUBREAPER, 1), which survives execve) and then execs the agent's own
 * command in the same process: /proc/PID/cmdline is the agent's command again, so the pid file
 * and adoption see what they always did. An orphan of any descendant (a setsid + double-fork
 * daemon) is then reparented to the agent, not to init, and stays in its tree while it lives.
 * perl is on every Debian-like host (perl-base is Essential); where it is missing, or the prctl
 * fails (another architecture, a seccomp filter), the agent is started directly.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';

const PR_SET_CHILD_SUBREAPER = 36;

/** prctl's syscall number per architecture (perl's syscall() takes the raw number). */
const PRCTL: Partial<Record<NodeJS.Architecture, number>> = {
  x64: 157,
  arm64: 167,
  riscv64: 167,
  loong64: 167,
  ia32: 172,
  arm: 172,
};

export type SubreaperSupport = { ok: true; perl: string; syscall: number } | { ok: false; reason: string };

function findPerl(dirs: string[]): string | null {
  for (const dir of dirs) {
    try {
      accessSync(join(dir, 'perl'), constants.X_OK);
      return join(dir, 'perl');
    } catch {
      // not here
    }
  }
  return null;
}

/** Whether the shim can work here: perl found, and the prctl succeeds in a throwaway perl. */
export function probeSubreaper(
  options: { dirs?: string[]; arch?: NodeJS.Architecture } = {},
): Promise<SubreaperSupport> {
  const arch = options.arch ?? process.arch;
  const syscall = PRCTL[arch];
  if (syscall === undefined) {
    return Promise.resolve({ ok: false, reason: `no prctl syscall number known for ${arch}` });
  }
  const dirs = options.dirs ?? [
    ...(process.env.PATH ?? '').split(':').filter((dir) => dir.startsWith('/')),
    '/usr/bin',
    '/bin',
  ];
  const perl = findPerl(dirs);
  if (!perl) return Promise.resolve({ ok: false, reason: 'perl was not found' });
  const script = `syscall(${syscall}, ${PR_SET_CHILD_SUBREAPER}, 1, 0, 0, 0) == 0 or die "$!\\n"`;
  return new Promise((resolve) => {
    execFile(perl, ['-e', script], { timeout: 5000, env: {} }, (error, _stdout, stderr) => {
      if (!error) resolve({ ok: true, perl, syscall });
      else
        resolve({
          ok: false,
          reason: `prctl(PR_SET_CHILD_SUBREAPER) failed in perl: ${String(stderr).trim() || error.message}`,
        });
    });
  });
}

/** The agent's command behind the shim; the shim only warns if the prctl fails, and still runs it. */
export function wrapWithSubreaper(support: { perl: string; syscall: number }, command: string[]): string[] {
  const script =
    `syscall(${support.syscall}, ${PR_SET_CHILD_SUBREAPER}, 1, 0, 0, 0) == 0 ` +
    `or warn "vigil: the agent is not a child subreaper: $!\\n"; ` +
    `exec { $ARGV[0] } @ARGV or die "vigil: cannot run $ARGV[0]: $!\\n";`;
  return [support.perl, '-e', script, '--', ...command];
}

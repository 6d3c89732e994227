/**
 * What install and uninstall share: one line per action ("write …", "unchanged …", "would …"
 * under --dry-run), file writes that compare before writing (so a second run changes nothing),
 * systemctl calls, the install manifest, and the checks made before anything is touched.
 */
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { writeFileAtomic } from '@vigil/shared';
import { commandLine, type RunCommand } from './run-command.js';
import { CONFIG_DIR } from './units.js';

export const MANIFEST_FILE = `${CONFIG_DIR}/install-manifest.json`;

/** An install or uninstall that cannot go on; nothing after the failed step was done. */
export class InstallProblem extends Error {
  readonly hint: string | undefined;
  constructor(message: string, hint?: string) {
    super(message);
    this.hint = hint;
  }
}

export interface StepOptions {
  /** Where files go: `/` for this host, else the --root directory. */
  root: string;
  /** True with --root: accounts go into ROOT/etc files and systemctl runs with --root. */
  offline: boolean;
  dryRun: boolean;
  /** Receives one line per action. */
  out: (line: string) => void;
  run: RunCommand;
}

export class Steps {
  readonly o: StepOptions;
  changed = 0;

  constructor(options: StepOptions) {
    this.o = options;
  }

  /** The path as the operator should read it: under --root, the real path written. */
  show(path: string): string {
    return this.o.offline ? join(this.o.root, path) : path;
  }

  at(path: string): string {
    return join(this.o.root, path);
  }

  /** Logs an action: done, or under --dry-run only announced. Returns true when it should run. */
  act(line: string, dryLine = `would ${line}`): boolean {
    this.changed++;
    this.o.out(this.o.dryRun ? dryLine : line);
    return !this.o.dryRun;
  }

  unchanged(line: string): void {
    this.o.out(`unchanged ${line}`);
  }

  note(line: string): void {
    this.o.out(line);
  }

  /** Writes `content` unless the file already holds exactly it (with this mode and group). */
  writeFile(path: string, content: string, mode: number, gid?: number): boolean {
    const full = this.at(path);
    if (existsSync(full)) {
      const stat = statSync(full);
      const same =
        readFileSync(full, 'utf8') === content &&
        (stat.mode & 0o7777) === mode &&
        (gid === undefined || !canChown() || stat.gid === gid);
      if (same) {
        this.unchanged(this.show(path));
        return false;
      }
    }
    if (!this.act(`write ${this.show(path)}`)) return true;
    mkdirSync(dirname(full), { recursive: true, mode: 0o755 });
    // A random O_EXCL|O_NOFOLLOW temp name and the mode and owner set on its descriptor: a link
    // planted beside the file is never written through or chmod'ed.
    writeFileAtomic(full, content, {
      mode,
      ...(gid !== undefined && canChown() ? { owner: { uid: 0, gid } } : {}),
    });
    return true;
  }

  /**
   * Writes a file vigil generates into a shared place (a shell's completion folder): a file
   * there that does not carry `mark` is someone else's (a package's, the operator's) and is kept.
   */
  writeOwnFile(path: string, content: string, mode: number, mark: string): boolean {
    if (!this.#isOwn(path, mark)) {
      this.note(`keep ${this.show(path)}: it is not vigil's`);
      return false;
    }
    return this.writeFile(path, content, mode);
  }

  /** Removes what `writeOwnFile` wrote, never a file without vigil's mark. */
  removeOwnFile(path: string, mark: string): boolean {
    const full = this.at(path);
    if (!existsSync(full) || !this.#isOwn(path, mark)) return false;
    return this.removePath(path);
  }

  #isOwn(path: string, mark: string): boolean {
    const full = this.at(path);
    const there = lstatSync(full, { throwIfNoEntry: false });
    if (!there) return true;
    return there.isFile() && readFileSync(full, 'utf8').slice(0, 4096).includes(mark);
  }

  /**
   * Makes `path` a symlink to `target`; a file or another link already there is the operator's
   * and is kept (noted), never replaced.
   */
  symlink(path: string, target: string): boolean {
    const full = this.at(path);
    const there = lstatSync(full, { throwIfNoEntry: false });
    if (there?.isSymbolicLink() && readlinkSync(full) === target) {
      this.unchanged(`${this.show(path)} -> ${target}`);
      return false;
    }
    if (there) {
      this.note(`keep ${this.show(path)}: it is not vigil's link (vigil is ${target})`);
      return false;
    }
    if (!this.act(`link ${this.show(path)} -> ${target}`)) return true;
    mkdirSync(dirname(full), { recursive: true, mode: 0o755 });
    symlinkSync(target, full);
    return true;
  }

  /** Removes `path` only when it is a symlink to `target`: what `symlink` made. */
  removeLink(path: string, target: string): boolean {
    const full = this.at(path);
    const there = lstatSync(full, { throwIfNoEntry: false });
    if (!there?.isSymbolicLink() || readlinkSync(full) !== target) return false;
    if (this.act(`remove ${this.show(path)}`)) rmSync(full);
    return true;
  }

  removePath(path: string, why = ''): boolean {
    const full = this.at(path);
    if (!existsSync(full)) return false;
    if (this.act(`remove ${this.show(path)}${why}`)) rmSync(full, { recursive: true, force: true });
    return true;
  }

  /** Runs a command that changes something (skipped under --dry-run); throws when it fails. */
  async command(file: string, args: string[]): Promise<void> {
    const line = commandLine(file, args);
    if (!this.act(line, `would run ${line}`)) return;
    const result = await this.o.run(file, args);
    if (result.exitCode !== 0) {
      throw new InstallProblem(
        `${commandLine(file, args)} failed (exit ${result.exitCode}): ${result.stderr.trim() || result.stdout.trim()}`,
      );
    }
  }

  /** systemctl, with --root under --root. */
  systemctlArgs(...args: string[]): string[] {
    return this.o.offline ? ['--root', this.o.root, ...args] : args;
  }

  /** `systemctl is-enabled` (or is-active) per unit; a unit it cannot answer for is "unknown". */
  async query(verb: 'is-enabled' | 'is-active', units: string[]): Promise<string[]> {
    const result = await this.o.run('systemctl', this.systemctlArgs(verb, ...units));
    const lines = result.stdout.split('\n').filter((line) => line.trim() !== '');
    return units.map((_unit, i) =>
      lines.length === units.length ? (lines[i] ?? 'unknown').trim() : 'unknown',
    );
  }
}

function canChown(): boolean {
  return process.getuid?.() === 0;
}

export interface Manifest {
  user: string;
  group: string;
  /** The user and group did not exist before: uninstall removes them. */
  addedUser: boolean;
  addedGroup: boolean;
  prefix: string;
}

export function readManifest(root: string): Manifest | null {
  try {
    const value = JSON.parse(readFileSync(join(root, MANIFEST_FILE), 'utf8')) as Partial<Manifest>;
    if (typeof value.user !== 'string' || typeof value.group !== 'string') return null;
    return {
      user: value.user,
      group: value.group,
      addedUser: value.addedUser === true,
      addedGroup: value.addedGroup === true,
      prefix: String(value.prefix ?? ''),
    };
  } catch {
    return null;
  }
}

export function manifestText(manifest: Manifest): string {
  return `${JSON.stringify({ note: 'Written by `vigil install`, read by `vigil uninstall`.', ...manifest }, null, 2)}\n`;
}

/** Directories that ProtectHome=yes hides from both services. */
const HIDDEN = /^\/(home|root|run\/user)(\/|$)/;
/** Directories that PrivateTmp=yes replaces with an empty one of the service's own. */
const TEMPORARY = /^\/(tmp|var\/tmp)(\/|$)/;

/** The path and, through any links, where it really is. */
function bothPaths(path: string): string[] {
  try {
    const real = realpathSync(path);
    return real === path ? [path] : [path, real];
  } catch {
    return [path];
  }
}

/** The prefix must hold a build, at a path the sandboxed service user can reach. */
export function checkPrefix(
  prefix: string,
  node: string,
): { problems: InstallProblem[]; hidden: string[]; temporary: string[] } {
  const problems: InstallProblem[] = [];
  if (!isAbsolute(prefix))
    problems.push(new InstallProblem(`--prefix must be an absolute path, got ${prefix}`));
  if (!isAbsolute(node) || !existsSync(node)) {
    problems.push(new InstallProblem(`node is not at an absolute path that exists: ${node}`));
  }
  for (const bin of [
    'packages/watchdog/dist/bin/vigil-watchdog.js',
    'packages/agent/dist/bin/vigil-agent.js',
  ]) {
    if (!existsSync(join(prefix, bin))) {
      problems.push(
        new InstallProblem(
          `${join(prefix, bin)} is missing: the prefix holds no build`,
          `Build first (\`scripts/setup.sh\`, or \`pnpm install && pnpm build\`) in ${prefix}, or point --prefix at a built copy.`,
        ),
      );
    }
  }
  const hidden = [prefix, node].filter((path) => bothPaths(path).some((p) => HIDDEN.test(p)));
  const temporary = [prefix, node].filter((path) => bothPaths(path).some((p) => TEMPORARY.test(p)));
  return { problems, hidden, temporary };
}

/**
 * What the units' sandbox hides: a prefix or node under /home (ProtectHome=yes) always fails;
 * under /tmp or /var/tmp (PrivateTmp=yes) it fails unless forced (it may be reached another way).
 */
export function pathProblems(
  hidden: readonly string[],
  temporary: readonly string[],
  force: boolean,
): { always: InstallProblem[]; unlessForced: InstallProblem[] } {
  const are = (paths: readonly string[]) => `${paths.join(' and ')} ${paths.length > 1 ? 'are' : 'is'}`;
  const always = hidden.length
    ? [
        new InstallProblem(
          `${are(hidden)} under /home, /root or /run/user, which ProtectHome=yes hides from both services`,
          'Install a built copy elsewhere, e.g. `--prefix /opt/vigil`, with node from the system (/usr/bin/node).',
        ),
      ]
    : [];
  const unlessForced = temporary.length
    ? [
        new InstallProblem(
          `${are(temporary)} under /tmp or /var/tmp, which PrivateTmp=yes replaces with an empty folder of each service's own${force ? ' (--force: installing anyway)' : ''}`,
          'Install a built copy elsewhere, e.g. `--prefix /opt/vigil`, or pass --force if the units reach it another way.',
        ),
      ]
    : [];
  return { always, unlessForced };
}

/** Installing on this host needs root, a running systemd and polkit (for the watchdog's systemctl calls). */
export function hostProblems(): InstallProblem[] {
  const problems: InstallProblem[] = [];
  if (process.getuid?.() !== 0) {
    problems.push(new InstallProblem('this needs root', 'Run it with sudo, e.g. `sudo scripts/install.sh`.'));
  }
  if (!existsSync('/run/systemd/system')) {
    problems.push(
      new InstallProblem(
        'systemd is not running on this host (PID 1 is not systemd)',
        'Prepare an image offline with --root DIR instead, or use embedded mode (`vigil run`).',
      ),
    );
  }
  if (!['/usr/lib/polkit-1/polkitd', '/usr/libexec/polkitd'].some((path) => existsSync(path))) {
    problems.push(
      new InstallProblem(
        'polkit is not installed: the watchdog (an unprivileged user) could not start or stop vigil-agent.service',
        'Install it (Debian/Ubuntu: `apt install polkitd`; Fedora/RHEL: `dnf install polkit`) and run again.',
      ),
    );
  }
  return problems;
}

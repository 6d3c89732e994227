/** `vigil install` / `vigil uninstall`: both systemd units, the service user, the polkit rule. */
import { resolve } from 'node:path';
import { isVigilError } from '@vigil/shared';
import { CliExit, EXIT } from '../exit-codes.js';
import { DEFAULT_USER, defaultPrefix, install as installPair } from '../systemd/install.js';
import { InstallProblem } from '../systemd/install-steps.js';
import { JOURNAL_ACCESS } from '../systemd/journal-access.js';
import { AccountError } from '../systemd/system-accounts.js';
import { uninstall as uninstallPair } from '../systemd/uninstall.js';

export const installHelp = `Usage: vigil install [--root DIR] [--prefix DIR] [--user NAME] [--dry-run] [--force]

Installs the pair as two systemd units and enables them (on this host: and starts them):
  - system group "vigil" and system user NAME (default vigil; no home, no login shell)
  - /etc/systemd/system/vigil-watchdog.service  Type=notify, WatchdogSec=10s, Restart=always
  - /etc/systemd/system/vigil-agent.service     Type=exec, Restart=no: started, stopped and
                                                restarted by the watchdog only
  - /etc/polkit-1/rules.d/50-vigil.rules        lets NAME manage vigil-agent.service, nothing else
  - /etc/vigil/vigil.yaml                       the defaults, only when no config exists
Each step prints one line ("write …", "unchanged …"); running it again changes nothing.
On this host it needs root, systemd and polkit (Debian: apt install polkitd).
The units run the prefix as root: install refuses (VIGIL_INSTALL_PATH_UNSAFE) when the prefix,
the --root target or a folder above either is owned by another user than root (or you) or is
writable by group or others (a sticky folder above them, such as /tmp, is allowed).

Options:
  --root DIR     install into the tree at DIR (an image): users go into DIR/etc/passwd and
                 DIR/etc/group, units are enabled with \`systemctl --root\`; nothing is started
  --prefix DIR   the built checkout the units run (default: the one this vigil runs from, ${defaultPrefix()})
  --user NAME    the service user (default ${DEFAULT_USER})
  --dry-run      print the steps, change nothing
  --force        install a prefix (or node) under /tmp or /var/tmp anyway: both units have
                 PrivateTmp=yes, so they cannot see it unless it is reached another way

Exit codes: 0 installed (or nothing to do), 1 failed (the reason and a hint are printed), 64 usage.`;

export const uninstallHelp = `Usage: vigil uninstall [--root DIR] [--purge] [--dry-run]

Reverses \`vigil install\`: stops and disables both units, removes the unit files, the polkit
rule, and the user and group if install added them. Keeps /etc/vigil (config) and
/var/lib/vigil (history, reports) unless --purge.

Options:
  --root DIR   uninstall from the tree at DIR (see \`vigil install --help\`)
  --purge      also remove /etc/vigil, /var/lib/vigil, /var/log/vigil and local drop-ins
  --dry-run    print the steps, change nothing

Exit codes: 0 uninstalled (or nothing to do), 1 failed (the reason and a hint are printed), 64 usage.`;

const USER_NAME = /^[a-z_][a-z0-9_-]{0,31}$/;

function target(root: string | undefined): { root: string; offline: boolean } {
  if (root === undefined || resolve(root) === '/') return { root: '/', offline: false };
  return { root: resolve(root), offline: true };
}

function failed(command: string, error: unknown): never {
  if (error instanceof InstallProblem) {
    throw new CliExit(
      EXIT.warning,
      `vigil ${command}: ${error.message}${error.hint ? `\n  hint: ${error.hint}` : ''}`,
    );
  }
  if (error instanceof AccountError) throw new CliExit(EXIT.warning, `vigil ${command}: ${error.message}`);
  if (isVigilError(error))
    throw new CliExit(EXIT.warning, `vigil ${command}: ${error.code}: ${error.toDisplayString()}`);
  // A file that cannot be written (permissions, read-only file system) is the operator's to fix.
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || code === 'ENOSPC' || code === 'ENOTDIR') {
    throw new CliExit(EXIT.warning, `vigil ${command}: ${(error as Error).message}`);
  }
  throw error;
}

const print = (line: string) => process.stdout.write(`${line}\n`);

export async function install(args: {
  root: string | undefined;
  prefix: string | undefined;
  user: string | undefined;
  dryRun: boolean;
  force?: boolean;
}): Promise<number> {
  const user = args.user ?? DEFAULT_USER;
  if (!USER_NAME.test(user)) {
    throw new CliExit(
      EXIT.usage,
      `vigil install: --user wants a system user name (lower case, digits, _ and -, at most 32), got ${JSON.stringify(user)}`,
    );
  }
  try {
    const { changed } = await installPair({
      ...target(args.root),
      prefix: resolve(args.prefix ?? defaultPrefix()),
      node: process.execPath,
      user,
      dryRun: args.dryRun,
      force: args.force ?? false,
      out: print,
    });
    if (args.dryRun) print(`dry run: ${changed} change(s) would be made, none were`);
    else if (changed === 0) print('nothing to do: vigil is installed');
    else if (!args.root) {
      print('installed: `vigil status` shows the pair (as root or a member of group vigil)');
      print(`  \`vigil logs\` reads the journal: ${JOURNAL_ACCESS}`);
    }
    return EXIT.ok;
  } catch (error) {
    failed('install', error);
  }
}

export async function uninstall(args: {
  root: string | undefined;
  purge: boolean;
  dryRun: boolean;
}): Promise<number> {
  try {
    const { changed } = await uninstallPair({
      ...target(args.root),
      purge: args.purge,
      dryRun: args.dryRun,
      out: print,
    });
    if (args.dryRun) print(`dry run: ${changed} change(s) would be made, none were`);
    else if (changed === 0) print('nothing to do: vigil is not installed');
    return EXIT.ok;
  } catch (error) {
    failed('uninstall', error);
  }
}

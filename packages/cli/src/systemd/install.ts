/**
 * `vigil install`: the service group and user, both unit files, the polkit rule, a default
 * config (only when there is none), then enable. Every step compares before it changes, so a
 * second run reports everything unchanged; --dry-run reports the same steps and changes nothing.
 * With --root DIR nothing on this host is touched: accounts are written into DIR/etc/passwd and
 * DIR/etc/group, and `systemctl --root DIR enable` only creates the wants/ symlinks.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfigFile } from '@vigil/shared/config';
import { COMPLETION_FILES, COMPLETION_MARK } from './completion-files.js';
import { defaultConfigYaml } from './default-config.js';
import { untrustedInstallPaths } from './install-path-trust.js';
import {
  checkPrefix,
  hostProblems,
  InstallProblem,
  MANIFEST_FILE,
  manifestText,
  pathProblems,
  readManifest,
  Steps,
} from './install-steps.js';
import { POLKIT_RULE_FILE, polkitRule } from './polkit-rule.js';
import { type RunCommand, runCommand } from './run-command.js';
import { type AccountEntry, fileAccounts, hostAccounts, type SystemAccounts } from './system-accounts.js';
import { agentRunsAsUnit, keysTheAgentUnitIgnores } from './unit-ignored-keys.js';
import { AGENT_UNIT, agentUnit, CONFIG_DIR, type UnitOptions, WATCHDOG_UNIT, watchdogUnit } from './units.js';

export const SERVICE_GROUP = 'vigil';
export const DEFAULT_USER = 'vigil';
export const UNITS = [WATCHDOG_UNIT, AGENT_UNIT] as const;
export const UNIT_DIR = '/etc/systemd/system';
/** Where operators find `vigil` on PATH: a link to the installed checkout's launcher. */
export const VIGIL_ON_PATH = '/usr/local/bin/vigil';

export function launcherOf(prefix: string): string {
  return `${prefix}/vigil`;
}
const CONFIG_NAMES = ['vigil.yaml', 'vigil.yml', 'vigil.json'];

/** The checkout this CLI runs from (src/systemd/ and dist/systemd/ are both four levels down). */
export function defaultPrefix(): string {
  return fileURLToPath(new URL('../../../../', import.meta.url)).replace(/\/$/, '');
}

export interface InstallOptions {
  /** `/` for this host; with `offline`, the --root directory. */
  root: string;
  offline: boolean;
  prefix: string;
  /** The node binary the units run. */
  node: string;
  user: string;
  dryRun: boolean;
  out: (line: string) => void;
  run?: RunCommand;
  accounts?: SystemAccounts;
  /**
   * Refuse unless root, systemd and polkit are there and the prefix is outside /home (this host
   * only; tests turn it off).
   */
  hostChecks?: boolean;
  /** Install a prefix under /tmp or /var/tmp anyway (with a warning). */
  force?: boolean;
}

export function accountsFor(root: string, offline: boolean, run: RunCommand): SystemAccounts {
  return offline ? fileAccounts(root) : hostAccounts(run);
}

export async function install(options: InstallOptions): Promise<{ changed: number }> {
  const run = options.run ?? runCommand;
  const steps = new Steps({ ...options, run });
  const { problems, hidden, temporary } = checkPrefix(options.prefix, options.node);
  const strict = !options.offline && (options.hostChecks ?? true);
  // A dry run, or an image (--root), is only warned: its paths may be right where it will run.
  const paths = pathProblems(hidden, temporary, options.force ?? false);
  for (const problem of paths.always) {
    if (strict && !options.dryRun) problems.push(problem);
    else steps.note(`warning: ${problem.message}`);
  }
  for (const problem of paths.unlessForced) {
    if (strict && !options.dryRun && !options.force) problems.push(problem);
    else steps.note(`warning: ${problem.message}`);
  }
  if (strict) {
    const host = hostProblems();
    // A dry run only looks, so it may show what would happen on any machine.
    if (options.dryRun) for (const p of host) steps.note(`warning: ${p.message}`);
    else problems.push(...host);
  }
  const [first] = problems;
  if (first) throw first;
  const untrusted = untrustedInstallPaths({
    prefix: options.prefix,
    root: options.offline ? options.root : undefined,
  });
  if (untrusted && !options.dryRun) throw untrusted;
  if (untrusted) steps.note(`warning: ${untrusted.message} (install would refuse)`);
  const previous = readManifest(options.root);
  if (previous && previous.user !== options.user) {
    throw new InstallProblem(
      `vigil is installed for user ${previous.user}, not ${options.user}`,
      'Run `vigil uninstall` first, or install again with the same --user.',
    );
  }

  const accounts = options.accounts ?? accountsFor(options.root, options.offline, run);
  const where = options.offline ? ` to ${steps.show('/etc/group')}` : '';
  const group = await ensure(
    steps,
    'group',
    SERVICE_GROUP,
    where,
    () => accounts.findGroup(SERVICE_GROUP),
    () => accounts.addGroup(SERVICE_GROUP),
  );
  const user = await ensure(
    steps,
    'user',
    options.user,
    options.offline ? ` to ${steps.show('/etc/passwd')}` : '',
    () => accounts.findUser(options.user),
    () => accounts.addUser(options.user, { name: SERVICE_GROUP, id: group.entry?.id ?? -1 }),
  );

  const existing = CONFIG_NAMES.map((name) => `${CONFIG_DIR}/${name}`).find((path) =>
    existsSync(steps.at(path)),
  );
  const configFile = existing ?? `${CONFIG_DIR}/vigil.yaml`;
  if (existing) {
    steps.unchanged(`${steps.show(existing)} (an existing config is never overwritten)`);
    for (const warning of unusedUnderSystemd(steps.at(existing)))
      steps.note(`warning: ${steps.show(existing)}: ${warning}`);
  } else steps.writeFile(configFile, defaultConfigYaml(), 0o640, group.entry?.id);

  const unit: UnitOptions = {
    node: options.node,
    prefix: options.prefix,
    user: options.user,
    group: SERVICE_GROUP,
    configFile,
  };
  let unitsChanged = steps.writeFile(join(UNIT_DIR, WATCHDOG_UNIT), watchdogUnit(unit), 0o644);
  unitsChanged = steps.writeFile(join(UNIT_DIR, AGENT_UNIT), agentUnit(unit), 0o644) || unitsChanged;
  steps.writeFile(POLKIT_RULE_FILE, polkitRule(options.user), 0o644);
  steps.symlink(VIGIL_ON_PATH, launcherOf(options.prefix));
  for (const file of COMPLETION_FILES) steps.writeOwnFile(file.path, file.script(), 0o644, COMPLETION_MARK);
  steps.writeFile(
    MANIFEST_FILE,
    manifestText({
      user: options.user,
      group: SERVICE_GROUP,
      addedUser: user.added || (previous?.addedUser ?? false),
      addedGroup: group.added || (previous?.addedGroup ?? false),
      prefix: options.prefix,
    }),
    0o644,
  );

  if (options.offline) await enableOffline(steps);
  else await enableOnHost(steps, unitsChanged);
  return { changed: steps.changed };
}

/** What the existing config sets that the installed units will not use (see unit-ignored-keys.ts). */
function unusedUnderSystemd(file: string): string[] {
  try {
    const { config } = loadConfigFile(file, { scope: 'watchdog' });
    return agentRunsAsUnit(config, 'systemd') ? keysTheAgentUnitIgnores(config) : [];
  } catch (error) {
    return [
      `it does not load (${(error as Error).message.split('\n')[0]}); \`vigil config validate\` shows every problem`,
    ];
  }
}

async function ensure(
  steps: Steps,
  kind: 'group' | 'user',
  name: string,
  where: string,
  find: () => Promise<AccountEntry | null>,
  add: () => Promise<number>,
): Promise<{ entry: AccountEntry | null; added: boolean }> {
  const found = await find();
  if (found) {
    steps.unchanged(`${kind} ${name} (${kind === 'group' ? 'gid' : 'uid'} ${found.id})`);
    return { entry: found, added: false };
  }
  if (!steps.act(`add system ${kind} ${name}${where}`)) return { entry: null, added: true };
  const id = await add();
  steps.note(`  ${kind} ${name} is ${kind === 'group' ? 'gid' : 'uid'} ${id}`);
  return { entry: { name, id }, added: true };
}

async function enableOffline(steps: Steps): Promise<void> {
  const states = await steps.query('is-enabled', [...UNITS]);
  if (states.every((state) => state === 'enabled')) {
    steps.unchanged(`enabled ${UNITS.join(' ')}`);
    return;
  }
  await steps.command('systemctl', steps.systemctlArgs('enable', ...UNITS));
}

async function enableOnHost(steps: Steps, unitsChanged: boolean): Promise<void> {
  if (unitsChanged) await steps.command('systemctl', ['daemon-reload']);
  const enabled = await steps.query('is-enabled', [...UNITS]);
  const active = await steps.query('is-active', [...UNITS]);
  if (enabled.every((s) => s === 'enabled') && active.every((s) => s === 'active')) {
    steps.unchanged(`enabled and running ${UNITS.join(' ')}`);
    if (unitsChanged) {
      steps.note(
        `  the units changed: \`systemctl restart ${WATCHDOG_UNIT}\` applies it (the agent keeps running and is adopted); ${AGENT_UNIT} takes its change at its next restart`,
      );
    }
    return;
  }
  await steps.command('systemctl', ['enable', '--now', ...UNITS]);
}

/**
 * `vigil uninstall`: the reverse of install. Disables (and on this host stops) both units,
 * removes the unit files, the polkit rule and the manifest, and the user and group if install
 * added them. The config (/etc/vigil) and the state (/var/lib/vigil: history, reports) stay
 * unless --purge, which also removes /var/log/vigil and local drop-ins (`systemctl edit`).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { COMPLETION_FILES, COMPLETION_MARK } from './completion-files.js';
import {
  accountsFor,
  DEFAULT_USER,
  launcherOf,
  SERVICE_GROUP,
  UNIT_DIR,
  UNITS,
  VIGIL_ON_PATH,
} from './install.js';
import { hostProblems, MANIFEST_FILE, readManifest, Steps } from './install-steps.js';
import { POLKIT_RULE_FILE } from './polkit-rule.js';
import { type RunCommand, runCommand } from './run-command.js';
import type { SystemAccounts } from './system-accounts.js';
import { CONFIG_DIR, LOG_DIR, RUN_DIR, STATE_DIR } from './units.js';

export interface UninstallOptions {
  root: string;
  offline: boolean;
  purge: boolean;
  dryRun: boolean;
  out: (line: string) => void;
  run?: RunCommand;
  accounts?: SystemAccounts;
  hostChecks?: boolean;
}

export async function uninstall(options: UninstallOptions): Promise<{ changed: number }> {
  const run = options.run ?? runCommand;
  const steps = new Steps({ ...options, run });
  if (!options.offline && (options.hostChecks ?? true)) {
    // Only root matters here: without systemd or polkit there is still something to remove.
    const [notRoot] = hostProblems().filter((p) => p.message === 'this needs root');
    if (notRoot && !options.dryRun) throw notRoot;
  }
  const manifest = readManifest(options.root);
  const user = manifest?.user ?? DEFAULT_USER;

  const present = UNITS.filter((unit) => existsSync(steps.at(join(UNIT_DIR, unit))));
  if (present.length === 0) {
    steps.unchanged(`${UNITS.join(' ')} (not installed)`);
  } else if (options.offline) {
    const states = await steps.query('is-enabled', present);
    if (states.some((state) => state === 'enabled')) {
      await steps.command('systemctl', steps.systemctlArgs('disable', ...present));
    } else steps.unchanged(`not enabled ${present.join(' ')}`);
  } else {
    // One transaction: the watchdog (After= the agent) is stopped first, so it does not restart the agent.
    await steps.command('systemctl', ['disable', '--now', ...present]);
  }

  let removedUnits = false;
  for (const unit of UNITS) removedUnits = steps.removePath(join(UNIT_DIR, unit)) || removedUnits;
  steps.removePath(POLKIT_RULE_FILE);
  if (manifest?.prefix) steps.removeLink(VIGIL_ON_PATH, launcherOf(manifest.prefix));
  for (const file of COMPLETION_FILES) steps.removeOwnFile(file.path, COMPLETION_MARK);
  steps.removePath(MANIFEST_FILE);
  if (removedUnits && !options.offline) await steps.command('systemctl', ['daemon-reload']);

  const accounts = options.accounts ?? accountsFor(options.root, options.offline, run);
  const where = (file: string) => (options.offline ? ` from ${steps.show(file)}` : '');
  if (await accounts.findUser(user)) {
    if (manifest?.addedUser) {
      if (steps.act(`remove system user ${user}${where('/etc/passwd')}`)) await accounts.removeUser(user);
    } else steps.note(`keep user ${user}: it was not added by \`vigil install\``);
  }
  if (await accounts.findGroup(SERVICE_GROUP)) {
    if (manifest?.addedGroup) {
      if (steps.act(`remove system group ${SERVICE_GROUP}${where('/etc/group')}`))
        await accounts.removeGroup(SERVICE_GROUP);
    } else steps.note(`keep group ${SERVICE_GROUP}: it was not added by \`vigil install\``);
  }

  // Sockets and status of stopped services: nothing there is worth keeping.
  steps.removePath(RUN_DIR);
  if (options.purge) {
    for (const dir of [CONFIG_DIR, STATE_DIR, LOG_DIR]) steps.removePath(dir, ' (--purge)');
    for (const unit of UNITS) steps.removePath(join(UNIT_DIR, `${unit}.d`), ' (--purge: local drop-ins)');
  } else {
    const kept = [CONFIG_DIR, STATE_DIR, LOG_DIR].filter((dir) => existsSync(steps.at(dir)));
    if (kept.length) {
      steps.note(
        `keep ${kept.map((dir) => steps.show(dir)).join(' ')} (config and state; --purge removes them)`,
      );
    }
  }
  return { changed: steps.changed };
}

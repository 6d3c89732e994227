import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import { defaultConfig, parseConfig } from '@vigil/agent/config';
import { defaultConfigYaml } from '../../src/systemd/default-config.ts';
import { install } from '../../src/systemd/install.ts';
import { checkPrefix, pathProblems } from '../../src/systemd/install-steps.ts';
import { polkitRule } from '../../src/systemd/polkit-rule.ts';
import { commandLine, type RunCommand } from '../../src/systemd/run-command.ts';
import { uninstall } from '../../src/systemd/uninstall.ts';
import { systemdWord } from '../../src/systemd/units.ts';
import { builtCopyUnder, roots, skeleton, treeHash } from './install-fixtures.ts';

/** This checkout, built: the units' ExecStart must name files that exist for verify. */
const REPO = fileURLToPath(new URL('../../../../', import.meta.url)).replace(/\/$/, '');
const CLI = join(REPO, 'packages/cli/dist/bin/vigil.js');
const UNIT_DIR = 'etc/systemd/system';
const WATCHDOG = 'vigil-watchdog.service';
const AGENT = 'vigil-agent.service';

async function installInto(root: string, extra: { dryRun?: boolean; user?: string } = {}) {
  const lines: string[] = [];
  const result = await install({
    root,
    offline: true,
    prefix: REPO,
    node: process.execPath,
    user: extra.user ?? 'vigil',
    dryRun: extra.dryRun ?? false,
    out: (line) => lines.push(line),
  });
  return { ...result, lines };
}

async function uninstallFrom(root: string, purge: boolean) {
  const lines: string[] = [];
  const result = await uninstall({
    root,
    offline: true,
    purge,
    dryRun: false,
    out: (line) => lines.push(line),
  });
  return { ...result, lines };
}

/** Action lines only (not warnings about where this checkout lives, nor indented details). */
const actions = (lines: string[]) => lines.filter((l) => !l.startsWith('warning:') && !l.startsWith(' '));

function has(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
}

describe('vigil install --root', () => {
  test('writes both units, which systemd-analyze verify accepts, and enables them', async (t) => {
    const root = skeleton();
    const { lines } = await installInto(root);
    assert.ok(lines.includes(`write ${join(root, UNIT_DIR, AGENT)}`), lines.join('\n'));
    assert.ok(lines.includes(`systemctl --root ${root} enable ${WATCHDOG} ${AGENT}`));
    if (!has('systemd-analyze')) return t.skip('systemd-analyze is not installed');
    const verify = spawnSync(
      'systemd-analyze',
      ['verify', join(root, UNIT_DIR, WATCHDOG), join(root, UNIT_DIR, AGENT)],
      { encoding: 'utf8' },
    );
    const complaints = `${verify.stdout}${verify.stderr}`
      .split('\n')
      .filter((line) => line.includes('vigil'));
    assert.deepEqual(complaints, [], 'systemd-analyze verify has no warnings about the units');
    assert.equal(verify.status, 0);
    for (const unit of [WATCHDOG, AGENT]) {
      const enabled = spawnSync('systemctl', ['--root', root, 'is-enabled', unit], { encoding: 'utf8' });
      assert.equal(enabled.stdout.trim(), 'enabled', `${unit}: ${enabled.stderr}`);
    }
  });

  test('the units carry the supervision settings and the sandbox', async () => {
    const root = skeleton();
    await installInto(root);
    const watchdog = readFileSync(join(root, UNIT_DIR, WATCHDOG), 'utf8').split('\n');
    const agent = readFileSync(join(root, UNIT_DIR, AGENT), 'utf8').split('\n');
    const hardening = [
      'NoNewPrivileges=yes',
      'ProtectSystem=strict',
      'ProtectHome=yes',
      'PrivateTmp=yes',
      'ProtectKernelTunables=yes',
      'ProtectKernelModules=yes',
      'ProtectControlGroups=yes',
      'RestrictSUIDSGID=yes',
      'LockPersonality=yes',
      'RestrictRealtime=yes',
      'SystemCallArchitectures=native',
      'CapabilityBoundingSet=',
      'User=vigil',
      'Group=vigil',
      'WantedBy=multi-user.target',
    ];
    for (const line of hardening) {
      assert.ok(watchdog.includes(line), `watchdog unit lacks ${line}`);
      assert.ok(agent.includes(line), `agent unit lacks ${line}`);
    }
    for (const line of [
      'Type=notify',
      'NotifyAccess=all',
      'WatchdogSec=10s',
      'Restart=always',
      'RestartSec=1s',
      'Environment=VIGIL_MODE=systemd',
      `ExecStart=${process.execPath} --lite-mode --no-expose-wasm --max-semi-space-size=1 --single-threaded-gc ${REPO}/packages/watchdog/dist/bin/vigil-watchdog.js`,
      'RuntimeDirectory=vigil',
      'RuntimeDirectoryMode=0750',
      'RuntimeDirectoryPreserve=yes',
      'StateDirectory=vigil',
      'LogsDirectory=vigil',
      'ConfigurationDirectory=vigil',
      `Wants=${AGENT}`,
    ]) {
      assert.ok(watchdog.includes(line), `watchdog unit lacks ${line}`);
    }
    assert.ok(watchdog.some((l) => l.startsWith('After=') && l.includes(AGENT)));
    for (const line of [
      'Type=exec',
      `ExecStart=${process.execPath} --lite-mode --no-expose-wasm --single-threaded-gc --expose-gc --max-semi-space-size=1 ${REPO}/packages/agent/dist/bin/vigil-agent.js`,
      'Environment=VIGIL_MODE=systemd',
      'Environment=VIGIL_AGENT_SOCKET=/run/vigil/agent.sock',
      'Environment=VIGIL_REPORT_DIR=/var/lib/vigil/reports',
      'Environment=VIGIL_CONFIG=/etc/vigil/vigil.yaml',
      'Environment="NODE_OPTIONS=--report-on-signal --report-directory=/var/lib/vigil/reports"',
      'KillMode=control-group',
      'TimeoutStopSec=3s',
      'Restart=no',
    ]) {
      assert.ok(agent.includes(line), `agent unit lacks ${line}`);
    }
    // The watchdog's ladder owns every restart of the agent: systemd's own would race it.
    assert.deepEqual(
      agent.filter((l) => /^(Restart|RestartSec)=/.test(l)),
      ['Restart=no'],
    );
    // A watchdog restart must leave the agent running, to be adopted.
    assert.ok(!agent.some((l) => /^(PartOf|BindsTo|Requisite)=/.test(l)));
    assert.ok(
      !agent.some((l) => l.startsWith('RuntimeDirectory=')),
      'stopping the agent must not remove /run/vigil',
    );
  });

  test('each sandbox option a unit goes without is named in it, with the reason', async () => {
    const root = skeleton();
    await installInto(root);
    for (const unit of [WATCHDOG, AGENT]) {
      const text = readFileSync(join(root, UNIT_DIR, unit), 'utf8');
      const set = new Set([...text.matchAll(/^(\w+)=/gm)].map((m) => m[1]));
      const explained = new Set(
        [...text.matchAll(/^# ([\w, =]+?): /gm)].flatMap((m) => (m[1] ?? '').split(', ')),
      );
      for (const option of [
        'MemoryDenyWriteExecute',
        'PrivateNetwork',
        'IPAddressDeny',
        'PrivateUsers',
        'ProcSubset',
      ]) {
        assert.ok(
          set.has(option) || [...explained].some((e) => e.startsWith(`${option}=`)),
          `${unit}: ${option}= is neither set nor explained`,
        );
      }
    }
  });

  test('--dry-run prints every step and changes nothing', async () => {
    const root = skeleton();
    const before = treeHash(root);
    const { lines, changed } = await installInto(root, { dryRun: true });
    assert.deepEqual(treeHash(root), before);
    assert.ok(changed >= 8);
    assert.ok(
      actions(lines).every((line) => line.startsWith('would ')),
      lines.join('\n'),
    );
    assert.ok(lines.includes(`would write ${join(root, UNIT_DIR, WATCHDOG)}`));
    assert.ok(lines.includes(`would add system user vigil to ${join(root, 'etc/passwd')}`));
  });

  test('a second install reports everything unchanged and changes nothing', async () => {
    const root = skeleton();
    await installInto(root);
    const once = treeHash(root);
    const { lines, changed } = await installInto(root);
    assert.equal(changed, 0);
    assert.ok(
      actions(lines).every((line) => line.startsWith('unchanged ')),
      lines.join('\n'),
    );
    assert.deepEqual(treeHash(root), once);
  });

  test('accounts go into the root: uid and gid are free system ids, nologin, no home', async () => {
    const root = skeleton();
    await installInto(root);
    const passwd = readFileSync(join(root, 'etc/passwd'), 'utf8');
    const group = readFileSync(join(root, 'etc/group'), 'utf8');
    assert.match(passwd, /^vigil:x:997:997:[^:]*:\/var\/lib\/vigil:\/usr\/sbin\/nologin$/m);
    assert.match(group, /^vigil:x:997:$/m);
    assert.ok(
      passwd.startsWith('root:x:0:0:root:/root:/bin/bash\n'),
      'existing entries are kept as they were',
    );
  });

  test('uninstall restores the tree; without --purge it keeps /etc/vigil and /var/lib/vigil', async () => {
    const root = skeleton();
    const before = treeHash(root);
    await installInto(root);
    // What the running services would have left behind.
    mkdirSync(join(root, 'var/lib/vigil'), { recursive: true });
    writeFileSync(join(root, 'var/lib/vigil/history.jsonl'), '{}\n');
    mkdirSync(join(root, 'run/vigil'), { recursive: true });
    writeFileSync(join(root, 'run/vigil/status.json'), '{}');
    const { lines } = await uninstallFrom(root, false);
    assert.ok(lines.includes(`systemctl --root ${root} disable ${WATCHDOG} ${AGENT}`), lines.join('\n'));
    const after = treeHash(root);
    const added = [...after.keys()].filter((path) => !before.has(path)).sort();
    assert.deepEqual(added, [
      '/etc/vigil',
      '/etc/vigil/vigil.yaml',
      '/run',
      '/var',
      '/var/lib',
      '/var/lib/vigil',
      '/var/lib/vigil/history.jsonl',
    ]);
    for (const [path, what] of before) assert.equal(after.get(path), what, path);
    assert.ok(!existsSync(join(root, 'run/vigil')), 'the runtime directory goes');
  });

  test('vigil goes on PATH as /usr/local/bin/vigil, a link to the checkout launcher; uninstall removes it', async () => {
    const root = skeleton();
    const link = join(root, 'usr/local/bin/vigil');
    await installInto(root);
    assert.equal(readlinkSync(link), join(REPO, 'vigil'));
    assert.deepEqual(
      actions((await installInto(root)).lines).filter((l) => l.includes('/usr/local/bin/vigil')),
      [`unchanged ${link} -> ${join(REPO, 'vigil')}`],
    );
    const run = spawnSync(link, ['--version'], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    await uninstallFrom(root, false);
    assert.equal(lstatSync(link, { throwIfNoEntry: false }), undefined);
  });

  test("an operator's own /usr/local/bin/vigil is never replaced nor removed", async () => {
    const root = skeleton();
    const link = join(root, 'usr/local/bin/vigil');
    writeFileSync(link, '#!/bin/sh\necho mine\n', { mode: 0o755 });
    const { lines } = await installInto(root);
    assert.ok(
      lines.some((l) => l.startsWith(`keep ${link}`)),
      lines.join('\n'),
    );
    await uninstallFrom(root, true);
    assert.equal(readFileSync(link, 'utf8'), '#!/bin/sh\necho mine\n');
  });

  test('uninstall --purge leaves the tree exactly as before the install', async () => {
    const root = skeleton();
    mkdirSync(join(root, 'var/lib'), { recursive: true });
    mkdirSync(join(root, 'run'), { recursive: true });
    const before = treeHash(root);
    await installInto(root);
    mkdirSync(join(root, 'var/lib/vigil/reports'), { recursive: true });
    writeFileSync(join(root, 'var/lib/vigil/history.jsonl'), '{}\n');
    mkdirSync(join(root, `${UNIT_DIR}/${AGENT}.d`));
    writeFileSync(join(root, `${UNIT_DIR}/${AGENT}.d/override.conf`), '[Service]\nNice=5\n');
    await uninstallFrom(root, true);
    assert.deepEqual(treeHash(root), before);
    const again = await uninstallFrom(root, true);
    assert.equal(again.changed, 0, again.lines.join('\n'));
  });

  test('an operator config is never overwritten, and the units point at it', async () => {
    const root = skeleton();
    mkdirSync(join(root, 'etc/vigil'));
    writeFileSync(join(root, 'etc/vigil/vigil.json'), '{"watchdog":{"heartbeat":{"intervalMs":500}}}\n');
    const { lines } = await installInto(root);
    assert.equal(
      readFileSync(join(root, 'etc/vigil/vigil.json'), 'utf8'),
      '{"watchdog":{"heartbeat":{"intervalMs":500}}}\n',
    );
    assert.ok(!existsSync(join(root, 'etc/vigil/vigil.yaml')));
    assert.ok(lines.some((l) => l.startsWith(`unchanged ${join(root, 'etc/vigil/vigil.json')}`)));
    assert.match(
      readFileSync(join(root, UNIT_DIR, AGENT), 'utf8'),
      /^Environment=VIGIL_CONFIG=\/etc\/vigil\/vigil\.json$/m,
    );
    await uninstallFrom(root, false);
    assert.ok(existsSync(join(root, 'etc/vigil/vigil.json')));
  });

  test('uninstall keeps a user and group that existed before the install', async () => {
    const root = skeleton();
    writeFileSync(join(root, 'etc/passwd'), 'vigil:x:500:500::/home/vigil:/bin/sh\n', { flag: 'a' });
    writeFileSync(join(root, 'etc/group'), 'vigil:x:500:alice\n', { flag: 'a' });
    const before = treeHash(root);
    await installInto(root);
    const { lines } = await uninstallFrom(root, true);
    assert.ok(
      lines.some((l) => l.startsWith('keep user vigil')),
      lines.join('\n'),
    );
    assert.deepEqual(treeHash(root), before);
  });

  test('installing again for another user is refused', async () => {
    const root = skeleton();
    await installInto(root);
    await assert.rejects(installInto(root, { user: 'watcher' }), /installed for user vigil/);
  });

  test('an existing config that sets agent.command (or agent.env) is kept, with a warning that the unit ignores it', async () => {
    const root = skeleton();
    mkdirSync(join(root, 'etc/vigil'), { recursive: true });
    const file = join(root, 'etc/vigil/vigil.yaml');
    writeFileSync(file, 'agent:\n  command: ["node", "/srv/my-agent.js"]\n  env: { TOKEN: x }\n');
    const { lines } = await installInto(root);
    const warnings = lines.filter((l) => l.startsWith('warning:') && l.includes('vigil.yaml'));
    assert.equal(warnings.length, 2, lines.join('\n'));
    assert.match(
      warnings[0] ?? '',
      /agent\.command is ignored under systemd.*systemctl edit vigil-agent\.service/,
    );
    assert.match(warnings[1] ?? '', /agent\.env is ignored under systemd \(TOKEN\)/);
    assert.equal(
      readFileSync(file, 'utf8'),
      'agent:\n  command: ["node", "/srv/my-agent.js"]\n  env: { TOKEN: x }\n',
    );
    // A config that sets neither gets no such warning.
    const plain = skeleton();
    const quiet = await installInto(plain);
    assert.deepEqual(
      quiet.lines.filter((l) => l.includes('ignored under systemd')),
      [],
    );
  });

  test('the written default config is the built-in defaults, as YAML that parseConfig accepts', async () => {
    assert.deepEqual(parseConfig(defaultConfigYaml(), 'vigil.yaml'), defaultConfig());
    const root = skeleton();
    await installInto(root);
    const path = join(root, 'etc/vigil/vigil.yaml');
    assert.deepEqual(parseConfig(readFileSync(path, 'utf8'), path), defaultConfig());
    assert.equal(lstatSync(path).mode & 0o777, 0o640);
  });
});

describe('vigil install on this host (commands recorded, never run)', () => {
  /** A stand-in for getent, groupadd, useradd, userdel, groupdel and systemctl. */
  function fakeHost() {
    const calls: string[] = [];
    const ids = { passwd: new Map<string, number>(), group: new Map<string, number>() };
    const enabled = new Set<string>();
    const ok = (stdout = '') => ({ exitCode: 0, stdout, stderr: '' });
    const run: RunCommand = async (file, args) => {
      calls.push(commandLine(file, args));
      const name = args.at(-1) ?? '';
      if (file === 'getent') {
        const id = ids[args[0] as 'passwd' | 'group'].get(name);
        return id === undefined
          ? { exitCode: 2, stdout: '', stderr: '' }
          : ok(`${name}:x:${id}:${id}::/:/x\n`);
      }
      if (file === 'groupadd') ids.group.set(name, 990);
      if (file === 'useradd') ids.passwd.set(name, 990);
      if (file === 'userdel') ids.passwd.delete(name);
      if (file === 'groupdel') ids.group.delete(name);
      if (file === 'systemctl') {
        const [verb, ...rest] = args;
        const units = rest.filter((a) => a.endsWith('.service'));
        if (verb === 'is-enabled')
          return ok(units.map((u) => (enabled.has(u) ? 'enabled' : 'disabled')).join('\n'));
        if (verb === 'is-active')
          return ok(units.map((u) => (enabled.has(u) ? 'active' : 'inactive')).join('\n'));
        if (verb === 'enable') for (const u of units) enabled.add(u);
        if (verb === 'disable') for (const u of units) enabled.delete(u);
      }
      return ok();
    };
    return { calls, run };
  }

  test('adds the accounts with groupadd/useradd, reloads systemd, enables and starts both units', async () => {
    const root = skeleton();
    const host = fakeHost();
    const common = { root, offline: false, run: host.run, hostChecks: false, dryRun: false, out: () => {} };
    await install({ ...common, prefix: REPO, node: process.execPath, user: 'vigil' });
    assert.deepEqual(host.calls, [
      'getent group vigil',
      'groupadd --system vigil',
      'getent group vigil',
      'getent passwd vigil',
      'useradd --system --no-create-home --home-dir /var/lib/vigil --shell /usr/sbin/nologin --gid vigil --comment "vigil watchdog and agent" vigil',
      'getent passwd vigil',
      'systemctl daemon-reload',
      `systemctl is-enabled ${WATCHDOG} ${AGENT}`,
      `systemctl is-active ${WATCHDOG} ${AGENT}`,
      `systemctl enable --now ${WATCHDOG} ${AGENT}`,
    ]);
    host.calls.length = 0;
    const lines: string[] = [];
    const again = await install({
      ...common,
      prefix: REPO,
      node: process.execPath,
      user: 'vigil',
      out: (l) => lines.push(l),
    });
    assert.equal(again.changed, 0, lines.join('\n'));
    assert.ok(!host.calls.some((c) => /add|enable |reload/.test(c)), host.calls.join('\n'));

    host.calls.length = 0;
    await uninstall({ ...common, purge: false });
    assert.deepEqual(host.calls, [
      `systemctl disable --now ${WATCHDOG} ${AGENT}`,
      'systemctl daemon-reload',
      'getent passwd vigil',
      'userdel vigil',
      'getent group vigil',
      'getent group vigil',
      'groupdel vigil',
    ]);
  });
});

describe('the polkit rule', () => {
  /** Runs the rule in a sandbox with a stand-in for polkit's API. */
  function decide(user: string, unit: string, verb: string, ruleFor = 'vigil'): string {
    let rule: ((action: unknown, subject: unknown) => string) | undefined;
    const polkit = {
      Result: { YES: 'yes', NO: 'no', NOT_HANDLED: 'not-handled' },
      addRule: (fn: typeof rule) => {
        rule = fn;
      },
    };
    runInNewContext(polkitRule(ruleFor), { polkit });
    assert.ok(rule);
    const details: Record<string, string> = { unit, verb };
    return rule(
      { id: 'org.freedesktop.systemd1.manage-units', lookup: (key: string) => details[key] },
      { user },
    );
  }

  test('lets the service user start, stop, restart and signal vigil-agent.service only', () => {
    for (const verb of ['start', 'stop', 'restart', 'kill'])
      assert.equal(decide('vigil', AGENT, verb), 'yes');
    assert.equal(decide('vigil', 'ssh.service', 'stop'), 'not-handled');
    assert.equal(decide('vigil', WATCHDOG, 'stop'), 'not-handled');
    assert.equal(decide('mallory', AGENT, 'start'), 'not-handled');
    assert.equal(decide('vigil', AGENT, 'reload'), 'not-handled');
    assert.equal(decide('watcher', AGENT, 'start', 'watcher'), 'yes');
  });
});

describe('a checkout the sandboxed units cannot see', () => {
  for (const parent of ['/tmp', '/var/tmp']) {
    test(`under ${parent} it is refused (PrivateTmp=yes hides it), unless --force, which warns`, () => {
      const prefix = builtCopyUnder(parent);
      const checked = checkPrefix(prefix, process.execPath);
      assert.deepEqual(checked.problems, []);
      assert.deepEqual(checked.temporary, [prefix]);
      const refused = pathProblems(checked.hidden, checked.temporary, false);
      assert.equal(refused.unlessForced.length, 1);
      assert.match(refused.unlessForced[0]?.message ?? '', /PrivateTmp=yes/);
      assert.match(refused.unlessForced[0]?.hint ?? '', /--force/);
      const forced = pathProblems(checked.hidden, checked.temporary, true);
      assert.match(forced.unlessForced[0]?.message ?? '', /--force: installing anyway/);
    });
  }

  test('a link to a folder under /tmp is seen through', () => {
    const target = builtCopyUnder('/tmp');
    // /dev/shm: a place outside /tmp that any Linux test host can write to.
    const link = join(mkdtempSync('/dev/shm/vigil-link-'), 'checkout');
    roots.push(join(link, '..'));
    symlinkSync(target, link);
    assert.deepEqual(checkPrefix(link, process.execPath).temporary, [link]);
  });

  test('the refusal is on this host only: an image (--root) is warned about', async () => {
    const root = skeleton();
    const prefix = builtCopyUnder('/var/tmp');
    const lines: string[] = [];
    await install({
      root,
      offline: true,
      prefix,
      node: process.execPath,
      user: 'vigil',
      dryRun: false,
      out: (line) => lines.push(line),
    });
    assert.ok(
      lines.some((l) => l.startsWith('warning:') && l.includes('PrivateTmp=yes')),
      lines.join('\n'),
    );
  });
});

describe('systemd quoting', () => {
  test('a path with spaces, % or $ is quoted and escaped for ExecStart', () => {
    assert.equal(systemdWord('/opt/vigil/bin'), '/opt/vigil/bin');
    assert.equal(systemdWord('/opt/my vigil/x.js'), '"/opt/my vigil/x.js"');
    assert.equal(systemdWord('/opt/100%/$HOME'), '/opt/100%%/$$HOME');
    assert.equal(systemdWord('A=$x y', 'env'), '"A=$x y"');
  });
});

describe('the CLI and the scripts', () => {
  const vigil = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  const script = (name: string, ...args: string[]) =>
    spawnSync('bash', [join(REPO, 'scripts', name), ...args], { encoding: 'utf8' });

  test('--help lists the options and exit codes; bad input is a usage error (64)', () => {
    for (const command of ['install', 'uninstall']) {
      const help = vigil(command, '--help');
      assert.equal(help.status, 0);
      assert.match(help.stdout, /--root DIR/);
      assert.match(help.stdout, /Exit codes: 0 .*1 failed.*64 usage/);
    }
    assert.equal(vigil('install', '--bogus').status, 64);
    assert.equal(vigil('install', '--user', 'Not A User', '--root', '/nonexistent').status, 64);
    assert.match(vigil('--help').stdout, /install \[--root DIR\]/);
    for (const name of ['install.sh', 'uninstall.sh']) {
      const help = script(name, '--help');
      assert.equal(help.status, 0);
      assert.match(help.stdout, /^Usage: scripts\//);
    }
  });

  test('scripts/install.sh and scripts/uninstall.sh --purge round-trip a root', () => {
    const root = skeleton();
    const before = treeHash(root);
    const dry = script('install.sh', '--root', root, '--dry-run');
    assert.equal(dry.status, 0, dry.stderr);
    assert.deepEqual(treeHash(root), before);
    const done = script('install.sh', '--root', root);
    assert.equal(done.status, 0, done.stderr);
    assert.ok(existsSync(join(root, UNIT_DIR, WATCHDOG)));
    const gone = script('uninstall.sh', '--root', root, '--purge');
    assert.equal(gone.status, 0, gone.stderr);
    assert.deepEqual(treeHash(root), before);
  });

  test('install.sh puts the completion scripts where bash and zsh find them; uninstall removes them', () => {
    const root = skeleton();
    const done = script('install.sh', '--root', root);
    assert.equal(done.status, 0, done.stderr);
    const bashFile = join(root, 'usr/share/bash-completion/completions/vigil');
    const zshFile = join(root, 'usr/share/zsh/vendor-completions/_vigil');
    assert.equal(readFileSync(bashFile, 'utf8'), vigil('completion', 'bash').stdout);
    assert.equal(readFileSync(zshFile, 'utf8'), vigil('completion', 'zsh').stdout);
    const sourced = spawnSync('bash', ['--norc', '-c', `source '${bashFile}' && complete -p vigil`], {
      encoding: 'utf8',
    });
    assert.equal(sourced.stdout.trim(), 'complete -F _vigil vigil', sourced.stderr);
    const gone = script('uninstall.sh', '--root', root);
    assert.equal(gone.status, 0, gone.stderr);
    assert.ok(!existsSync(bashFile) && !existsSync(zshFile));
  });

  test("a completion script that is not vigil's is kept by install and by uninstall", () => {
    const root = skeleton();
    const theirs = join(root, 'usr/share/bash-completion/completions/vigil');
    writeFileSync(theirs, '# a distribution package owns this\ncomplete -W "x" vigil\n');
    const done = script('install.sh', '--root', root);
    assert.equal(done.status, 0, done.stderr);
    assert.match(
      `${done.stdout}${done.stderr}`,
      /keep .*bash-completion\/completions\/vigil: it is not vigil's/,
    );
    assert.match(readFileSync(theirs, 'utf8'), /a distribution package owns this/);
    const zshFile = join(root, 'usr/share/zsh/vendor-completions/_vigil');
    assert.equal(
      readFileSync(zshFile, 'utf8'),
      vigil('completion', 'zsh').stdout,
      'the free place is written',
    );
    const gone = script('uninstall.sh', '--root', root);
    assert.equal(gone.status, 0, gone.stderr);
    assert.match(readFileSync(theirs, 'utf8'), /a distribution package owns this/);
    assert.ok(!existsSync(zshFile), "vigil's own is removed");
  });

  test('a prefix without a build is refused with a hint (exit 1)', () => {
    const root = skeleton();
    const result = vigil('install', '--root', root, '--prefix', root);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /no build[\s\S]*hint: Build first/);
  });
});

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { detectMode, findCheckout, resolvePaths } from '@vigil/shared';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url)).replace(/\/$/, '');

const dir = mkdtempSync('/tmp/vg-paths-');
after(() => rmSync(dir, { recursive: true, force: true }));

describe('resolvePaths', () => {
  test("embedded default is the checkout's .vigil, whatever the working directory", () => {
    for (const cwd of ['/srv/app', '/src/vigil/packages/agent', '/']) {
      const p = resolvePaths({ env: {}, cwd, checkout: '/src/vigil' });
      assert.equal(p.mode, 'embedded');
      assert.equal(p.home, '/src/vigil/.vigil', cwd);
      assert.equal(p.agentSocket, '/src/vigil/.vigil/run/agent.sock');
      assert.equal(p.controlSocket, '/src/vigil/.vigil/run/control.sock');
      assert.equal(p.statusFile, '/src/vigil/.vigil/run/status.json');
      assert.equal(p.agentPidFile, '/src/vigil/.vigil/run/agent.pid');
      assert.equal(p.lockFile, '/src/vigil/.vigil/run/watchdog.lock');
      assert.equal(p.historyFile, '/src/vigil/.vigil/state/history.jsonl');
      assert.equal(p.watchdogLog, '/src/vigil/.vigil/log/watchdog.log');
      assert.equal(p.watchdogOutput, '/src/vigil/.vigil/log/watchdog.out');
      assert.equal(p.agentLog, '/src/vigil/.vigil/log/agent.log');
      assert.equal(p.configFile, null);
    }
  });

  test("outside a checkout the default is the user's state folder", () => {
    const home = { HOME: '/home/alice' };
    assert.equal(
      resolvePaths({ env: home, cwd: '/srv', checkout: null }).home,
      '/home/alice/.local/state/vigil',
    );
    assert.equal(
      resolvePaths({ env: { ...home, XDG_STATE_HOME: '/var/state/alice' }, checkout: null }).home,
      '/var/state/alice/vigil',
    );
    // The XDG spec ignores a relative XDG_STATE_HOME rather than reading it against the cwd.
    assert.equal(
      resolvePaths({ env: { ...home, XDG_STATE_HOME: 'state' }, cwd: '/srv', checkout: null }).home,
      '/home/alice/.local/state/vigil',
    );
  });

  test('an explicit VIGIL_HOME wins over the checkout and the state folder', () => {
    const env = { VIGIL_HOME: '/srv/h', XDG_STATE_HOME: '/var/state' };
    assert.equal(resolvePaths({ env, checkout: '/src/vigil' }).home, '/srv/h');
    assert.equal(resolvePaths({ env, checkout: null }).home, '/srv/h');
  });

  test('without options the home is found from where vigil itself is, not from the cwd', () => {
    // This test runs from this checkout: the shared package's own location names it.
    assert.equal(findCheckout(), ROOT);
    const p = resolvePaths({ env: { HOME: '/home/alice' }, cwd: '/' });
    assert.equal(p.home, join(ROOT, '.vigil'));
  });

  test('findCheckout: a vigil workspace of this user, three folders above the module', () => {
    const root = join(dir, 'checkout');
    mkdirSync(join(root, 'packages/shared/dist'), { recursive: true });
    const moduleUrl = pathToFileURL(join(root, 'packages/shared/dist/paths.js')).href;
    assert.equal(findCheckout(moduleUrl), null, 'no workspace files: an installed package');
    writeFileSync(join(root, 'pnpm-workspace.yaml'), 'packages:\n  - packages/*\n');
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'someone-else' }));
    assert.equal(findCheckout(moduleUrl), null, 'another project');
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'vigil' }));
    assert.equal(findCheckout(moduleUrl), root);
    const uid = process.geteuid?.() ?? 0;
    assert.equal(findCheckout(moduleUrl, uid + 1), null, "another user's checkout");
  });

  test('VIGIL_HOME moves everything, relative to the working directory', () => {
    const p = resolvePaths({ env: { VIGIL_HOME: 'h' }, cwd: dir });
    assert.equal(p.home, join(dir, 'h'));
    assert.equal(p.runDir, join(dir, 'h/run'));
    assert.equal(p.stateDir, join(dir, 'h/state'));
    assert.equal(p.logDir, join(dir, 'h/log'));
  });

  test('the config defaults to $VIGIL_HOME/vigil.yaml when present', () => {
    writeFileSync(join(dir, 'vigil.yaml'), 'agent: {}\n');
    assert.equal(resolvePaths({ env: { VIGIL_HOME: dir } }).configFile, join(dir, 'vigil.yaml'));
    assert.equal(
      resolvePaths({ env: { VIGIL_HOME: dir, VIGIL_CONFIG: '/etc/x.yaml' } }).configFile,
      '/etc/x.yaml',
    );
  });

  test('systemd mode uses the unit directories', () => {
    assert.equal(detectMode({ VIGIL_MODE: 'systemd' }), 'systemd');
    assert.equal(detectMode({}), 'embedded');
    const p = resolvePaths({ env: { VIGIL_MODE: 'systemd' } });
    assert.equal(p.home, null);
    assert.equal(p.agentSocket, '/run/vigil/agent.sock');
    assert.equal(p.historyFile, '/var/lib/vigil/history.jsonl');
    const q = resolvePaths({
      env: { VIGIL_MODE: 'systemd', RUNTIME_DIRECTORY: '/run/x', STATE_DIRECTORY: '/var/lib/x' },
    });
    assert.equal(q.controlSocket, '/run/x/control.sock');
    assert.equal(q.historyFile, '/var/lib/x/history.jsonl');
  });
});

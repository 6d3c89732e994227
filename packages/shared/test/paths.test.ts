import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { detectMode, resolvePaths } from '@vigil/shared';

const dir = mkdtempSync('/tmp/vg-paths-');
after(() => rmSync(dir, { recursive: true, force: true }));

describe('resolvePaths', () => {
  test('embedded default is ./.vigil under the working directory', () => {
    const p = resolvePaths({ env: {}, cwd: '/srv/app' });
    assert.equal(p.mode, 'embedded');
    assert.equal(p.home, '/srv/app/.vigil');
    assert.equal(p.agentSocket, '/srv/app/.vigil/run/agent.sock');
    assert.equal(p.controlSocket, '/srv/app/.vigil/run/control.sock');
    assert.equal(p.statusFile, '/srv/app/.vigil/run/status.json');
    assert.equal(p.agentPidFile, '/srv/app/.vigil/run/agent.pid');
    assert.equal(p.historyFile, '/srv/app/.vigil/state/history.jsonl');
    assert.equal(p.watchdogLog, '/srv/app/.vigil/log/watchdog.log');
    assert.equal(p.agentLog, '/srv/app/.vigil/log/agent.log');
    assert.equal(p.configFile, null);
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

// Which pair the CLI looks at without VIGIL_HOME or VIGIL_MODE: an embedded home only while a
// watchdog serves it; otherwise the installed units when they are there, so a stopped embedded
// pair in a checkout never hides a running installed one.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { cliPaths } from '../src/client.ts';

const root = mkdtempSync('/tmp/vg-cli-paths-');
after(() => rmSync(root, { recursive: true, force: true }));

function host(name: string) {
  const checkout = join(root, name, 'checkout');
  const installedRun = join(root, name, 'run-vigil');
  const env = { HOME: join(root, name), RUNTIME_DIRECTORY: installedRun, PATH: process.env.PATH };
  const embeddedRun = join(checkout, '.vigil', 'run');
  const touch = (dir: string, file: string) => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, file), '');
  };
  return {
    paths: () => cliPaths(env, checkout),
    stoppedEmbedded: () => touch(embeddedRun, 'status.json'),
    runningEmbedded: () => touch(embeddedRun, 'control.sock'),
    installed: () => touch(installedRun, 'status.sock'),
  };
}

test('nothing anywhere: the embedded home', () => {
  assert.equal(host('empty').paths().mode, 'embedded');
});

test('a stopped embedded pair and no units: the embedded home (its last status)', () => {
  const h = host('stopped');
  h.stoppedEmbedded();
  assert.equal(h.paths().mode, 'embedded');
});

test('a stopped embedded pair beside installed units: the units', () => {
  const h = host('both');
  h.stoppedEmbedded();
  h.installed();
  const paths = h.paths();
  assert.equal(paths.mode, 'systemd');
  assert.equal(paths.home, null);
});

test('a running embedded pair beside installed units: the embedded pair', () => {
  const h = host('running');
  h.runningEmbedded();
  h.installed();
  assert.equal(h.paths().mode, 'embedded');
});

test('VIGIL_HOME and VIGIL_MODE still choose', () => {
  assert.equal(cliPaths({ VIGIL_HOME: join(root, 'x') }).home, join(root, 'x'));
  assert.equal(cliPaths({ VIGIL_MODE: 'systemd' }).mode, 'systemd');
});

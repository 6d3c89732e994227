// The embedded daemon (vigil-watchdog, and `vigil run`, outside systemd) loads only what it
// runs: execa is for systemd mode (systemctl, systemd-notify) and yaml for a YAML config file,
// both imported on use. ajv not at all: the validators are generated at build time, with vigil's
// own helpers in place of ajv's run-time files. (test/e2e/module-graph.test.ts holds the same
// over a running daemon.)
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { staticImportGraph } from '@vigil/shared/testing';

const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));

test('the daemon loads neither execa nor yaml before it needs them, nor ajv', () => {
  const { packages } = staticImportGraph([
    resolve(DIST, 'bin/vigil-watchdog.js'),
    resolve(DIST, 'daemon/run-watchdog.js'),
  ]);
  assert.ok(packages.size >= 3, `found ${[...packages.keys()].join(', ')}`);
  for (const name of ['execa', 'yaml', 'ajv']) {
    assert.ok(!packages.has(name), `${name} is imported statically by ${packages.get(name)}`);
  }
  // The walk does see the daemon's static imports of packages, its own workspace's and beyond.
  assert.ok(packages.has('pino'), `found ${[...packages.keys()].join(', ')}`);
});

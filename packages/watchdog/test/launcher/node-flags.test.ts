// The flags vigil writes into its daemons' command lines must start node silently: a warning
// on stderr at every start would land in every journal and log (lite mode warns that it turns
// WebAssembly off unless --no-expose-wasm says so first).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BUNDLED_AGENT_NODE_FLAGS, DAEMON_NODE_FLAGS } from '../../src/launcher/daemon-node-flags.ts';

for (const [name, flags] of [
  ['the daemon', DAEMON_NODE_FLAGS],
  ['the bundled agent', BUNDLED_AGENT_NODE_FLAGS],
] as const) {
  test(`${name}'s node flags start node without a word on stderr`, () => {
    const run = spawnSync(process.execPath, [...flags, '-e', 'process.stdout.write("ok")'], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    });
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, 'ok');
    assert.equal(run.stderr, '');
  });
}

test("the checkout's ./vigil passes the daemon's flags to run", () => {
  const launcher = readFileSync(fileURLToPath(new URL('../../../../vigil', import.meta.url)), 'utf8');
  assert.ok(
    launcher.includes(`exec node ${DAEMON_NODE_FLAGS.join(' ')} "$cli" "$@"`),
    'the flags in ./vigil differ from DAEMON_NODE_FLAGS',
  );
});

// Links planted at every file a real pair writes in its home, each pointing at a file outside
// it that only its owner may read: the pair starts, has an incident, stops, and not one target
// was written. Run as root, and as an unprivileged user (nobody) when the test runs as root.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chownSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { cleanEnv, Pair, VIGIL_BIN } from '../support/pair.ts';

const PLANTED = [
  'state/history.jsonl',
  'state/config-audit.jsonl',
  'state/agent-config.running.json',
  'state/vigil.prom',
  'state/config.last-good.json',
  'run/agent.pid',
  'run/status.json',
];
const NOBODY = { uid: 65534, gid: 65534 };
const users: [string, { uid: number; gid: number } | undefined][] = [
  ['the user running the test', undefined],
];
if (process.getuid?.() === 0) users.push(['an unprivileged user (nobody)', NOBODY]);

describe('links planted in the home', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  after(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  for (const [who, user] of users) {
    test(`as ${who}: no write goes through a link at any file the pair writes`, async () => {
      const home = mkdtempSync('/tmp/vg-links-');
      const victims = mkdtempSync('/tmp/vg-victims-');
      cleanup.push(() => rmSync(victims, { recursive: true, force: true }));
      const own = (path: string) => user && chownSync(path, user.uid, user.gid);
      own(victims);
      for (const folder of ['state', 'run']) {
        mkdirSync(join(home, folder), { mode: 0o700 });
        own(join(home, folder));
      }
      for (const name of PLANTED) {
        const target = join(victims, name.replace('/', '-'));
        writeFileSync(target, 'only its owner may read this\n', { mode: 0o600 });
        own(target);
        symlinkSync(target, join(home, name));
      }
      const pair = new Pair({ home, ...(user ? { user } : {}) });
      cleanup.push(() => pair.dispose());
      await pair.start();
      const first = await pair.waitForHealthy(20_000);
      process.kill(first.agent.pid as number, 'SIGKILL');
      await pair.waitForIncident((i) => i.signal === 'exit', 20_000, 'the crash recorded');
      await pair.waitForHealthy(20_000);
      assert.equal(await pair.stop(), 0, pair.output);

      for (const name of PLANTED) {
        const target = join(victims, name.replace('/', '-'));
        assert.equal(
          readFileSync(target, 'utf8'),
          'only its owner may read this\n',
          `${name}: its target is untouched`,
        );
      }
      for (const name of [
        'state/history.jsonl',
        'state/config-audit.jsonl',
        'state/agent-config.running.json',
      ]) {
        assert.ok(lstatSync(join(home, name)).isFile(), `${name} is a regular file now`);
      }
      const history = readFileSync(join(home, 'state/history.jsonl'), 'utf8');
      assert.match(history, /"kind":"opened"/, 'the incident went to the real history file');
      assert.deepEqual(
        readdirSync(victims).sort(),
        PLANTED.map((n) => n.replace('/', '-')).sort(),
        'nothing new beside the targets',
      );
    });
  }

  test('a run folder that is a link out of the home: vigil run refuses (exit 1), nothing is written there', () => {
    const home = mkdtempSync('/tmp/vg-runlink-');
    const outside = mkdtempSync('/tmp/vg-runlink-target-');
    cleanup.push(() => rmSync(home, { recursive: true, force: true }));
    cleanup.push(() => rmSync(outside, { recursive: true, force: true }));
    symlinkSync(outside, join(home, 'run'));
    const result = spawnSync(process.execPath, [VIGIL_BIN, 'run'], {
      env: cleanEnv({ VIGIL_HOME: home }),
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, new RegExp(`${join(home, 'run')} is a symbolic link`));
    assert.deepEqual(readdirSync(outside), []);
  });
});

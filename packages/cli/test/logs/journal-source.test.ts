import assert from 'node:assert/strict';
import { appendFileSync, chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Follower, pinoLine, records, runLogs, spawnLogs, T0 } from './support/log-home.ts';

const FAKE = fileURLToPath(new URL('./fixtures/fake-journalctl.mjs', import.meta.url));
let dir: string;
let env: Record<string, string>;
const followers: Follower[] = [];
let cursor = 0;

function entry(fields: Record<string, unknown>, atMs: number): Record<string, unknown> {
  cursor++;
  return {
    __CURSOR: `s=fake;i=${cursor}`,
    __REALTIME_TIMESTAMP: String(atMs * 1000),
    PRIORITY: '6',
    ...fields,
  };
}
const pino = (unit: 'watchdog' | 'agent', at: number, msg: string, level = 30) =>
  entry(
    { MESSAGE: pinoLine(unit, at, msg, {}, level).trimEnd(), _SYSTEMD_UNIT: `vigil-${unit}.service` },
    at + 1,
  );
const write = (entries: Record<string, unknown>[]) =>
  appendFileSync(env.FAKE_JOURNAL as string, entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
const calls = (): string[][] =>
  readFileSync(env.FAKE_JOURNAL_ARGS as string, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as string[]);

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigil-journal-'));
  // On PATH as `journalctl`, ahead of any real one.
  writeFileSync(join(dir, 'journalctl'), `#!/bin/sh\nexec "${process.execPath}" "${FAKE}" "$@"\n`);
  chmodSync(join(dir, 'journalctl'), 0o755);
  env = {
    VIGIL_MODE: 'systemd',
    PATH: `${dir}:${process.env.PATH}`,
    FAKE_JOURNAL: join(dir, 'journal.ndjson'),
    FAKE_JOURNAL_ARGS: join(dir, 'args.ndjson'),
  };
  write([
    pino('watchdog', T0, 'watchdog up'),
    pino('agent', T0 + 10, 'agent up'),
    entry({ MESSAGE: 'TypeError: boom', _SYSTEMD_UNIT: 'vigil-agent.service' }, T0 + 20),
    entry({ MESSAGE: '    at tick (agent.js:1:1)', _SYSTEMD_UNIT: 'vigil-agent.service' }, T0 + 21),
    entry(
      {
        MESSAGE: 'vigil-agent.service: Main process exited, code=exited, status=1/FAILURE',
        _SYSTEMD_UNIT: 'init.scope',
        UNIT: 'vigil-agent.service',
        PRIORITY: '5',
      },
      T0 + 22,
    ),
    pino('watchdog', T0 + 30, 'agent exited', 40),
    entry({ MESSAGE: 'someone else', _SYSTEMD_UNIT: 'sshd.service' }, T0 + 31),
  ]);
});

afterEach(async () => {
  await Promise.all(followers.splice(0).map((follower) => follower.kill()));
  writeFileSync(env.FAKE_JOURNAL_ARGS as string, '');
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('vigil logs under systemd (the journal)', () => {
  test('maps journal entries into the same records and asks journalctl for both units', async () => {
    const result = await runLogs(['--json'], env);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(
      records(result.stdout).map((r) => [r.msg, r.component, r.level, r.raw ?? false]),
      [
        ['watchdog up', 'watchdog', 30, false],
        ['agent up', 'agent', 30, false],
        ['TypeError: boom', 'agent', 50, true],
        ['    at tick (agent.js:1:1)', 'agent', 50, true],
        ['vigil-agent.service: Main process exited, code=exited, status=1/FAILURE', 'agent', 30, true],
        ['agent exited', 'watchdog', 40, false],
      ],
    );
    const [args] = calls();
    assert.ok(args);
    for (const expected of [
      '-o json',
      '--no-pager',
      '-u vigil-watchdog.service',
      '-u vigil-agent.service',
      '-n 50',
    ]) {
      assert.ok(args.join(' ').includes(expected), `${expected} in ${args.join(' ')}`);
    }
  });

  test('-n, --level, --unit and --since apply to journal lines too', async () => {
    assert.deepEqual(
      records((await runLogs(['--json', '-n', '2'], env)).stdout).map((r) => r.msg),
      ['vigil-agent.service: Main process exited, code=exited, status=1/FAILURE', 'agent exited'],
    );
    assert.deepEqual(
      records((await runLogs(['--json', '-n', '2', '--level', 'error'], env)).stdout).map((r) => r.msg),
      ['TypeError: boom', '    at tick (agent.js:1:1)'],
    );
    const agent = await runLogs(['--json', '--unit', 'agent'], env);
    assert.deepEqual(new Set(records(agent.stdout).map((r) => r.component)), new Set(['agent']));
    const since = await runLogs(['--json', '--since', new Date(T0 + 30).toISOString()], env);
    assert.deepEqual(
      records(since.stdout).map((r) => r.msg),
      ['agent exited'],
    );
    const sinceArgs = calls().at(-1) ?? [];
    assert.ok(sinceArgs.includes('--since'), sinceArgs.join(' '));
    assert.ok(calls()[2]?.includes('vigil-agent.service') && !calls()[2]?.includes('vigil-watchdog.service'));
  });

  test('-f follows after the last entry shown, nothing lost or repeated, until SIGINT', async () => {
    const logs = spawnLogs(['-f', '-n', '1'], env);
    followers.push(logs);
    await logs.waitFor((msgs) => msgs.includes('agent exited'), 'the tail');
    write([pino('agent', Date.now(), 'agent back')]);
    await logs.waitFor((msgs) => msgs.includes('agent back'), 'the followed entry');
    assert.deepEqual(logs.messages(), ['agent exited', 'agent back']);
    const followArgs = calls().find((args) => args.includes('-f'));
    assert.ok(
      followArgs?.some((arg) => arg.startsWith('--after-cursor=')),
      followArgs?.join(' '),
    );
    logs.child.kill('SIGINT');
    assert.equal(await logs.exited, 0);
  });

  test('a journal that cannot be read, or no journalctl, exits 1 and says so', async () => {
    const denied = await runLogs([], { ...env, FAKE_JOURNAL_FAIL: '1' });
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /insufficient permissions/);
    assert.match(denied.stderr, /journalctl failed/);
    const empty = mkdtempSync(join(tmpdir(), 'vigil-nopath-'));
    try {
      const missing = await runLogs([], { ...env, PATH: empty });
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /cannot run journalctl/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

// A damaged run/status.json is a typed "unreadable", and `vigil status`/`why` exit 3 saying so —
// never 70 with a stack trace. The CLI is the built one, run with no watchdog behind it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { checkStatus, readStatusFile } from '@vigil/shared';
import { sampleIncident, sampleSnapshot } from './snapshot-fixture.ts';

const VIGIL_BIN = fileURLToPath(new URL('../dist/bin/vigil.js', import.meta.url));

type Json = Record<string, unknown>;
const withAgent = (change: (agent: Json) => void): string => {
  const s = sampleSnapshot() as unknown as Json;
  change(s.agent as Json);
  return JSON.stringify(s);
};
const withTop = (change: (s: Json) => void): string => {
  const s = sampleSnapshot() as unknown as Json;
  change(s);
  return JSON.stringify(s);
};

const DAMAGED: [string, string][] = [
  ['an array', '[1, 2, 3]'],
  ['null', 'null'],
  ['a number', '42'],
  ['a string', '"healthy"'],
  ['an empty object', '{}'],
  ['an empty file', ''],
  ['not JSON', 'status: healthy\n'],
  ['truncated', JSON.stringify(sampleSnapshot()).slice(0, 200)],
  ['agent: null', withTop((s) => (s.agent = null))],
  ['agent: an array', withTop((s) => (s.agent = []))],
  ['watchdog missing', withTop((s) => delete s.watchdog)],
  ['recovery: a string', withTop((s) => (s.recovery = 'none'))],
  ['updatedAt: a string', withTop((s) => (s.updatedAt = 'yesterday'))],
  ['watchdog.pid: a string', withTop((s) => ((s.watchdog as Json).pid = '4242'))],
  ['watchdog.uptimeMs: negative', withTop((s) => ((s.watchdog as Json).uptimeMs = -5))],
  ['agent.pid: a string', withAgent((a) => (a.pid = '4343'))],
  ['agent.restarts: a string', withAgent((a) => (a.restarts = '1'))],
  ['agent.cpuPercent: a string', withAgent((a) => (a.cpuPercent = '1.5%'))],
  ['agent.state: unknown', withAgent((a) => (a.state = 'zombie'))],
  ['agent.health.failing: a string', withAgent((a) => ((a.health as Json).failing = 'disk'))],
  ['incidents: an object', withTop((s) => (s.incidents = {}))],
  ['an incident: a number', withTop((s) => (s.incidents = [7]))],
  ['an incident without id', withTop((s) => (s.incidents = [{ ...sampleIncident(), id: undefined }]))],
  [
    'an incident with rungs: a string',
    withTop((s) => (s.incidents = [{ ...sampleIncident(), rungs: 'hard' }])),
  ],
  [
    'an incident with a bad timeline',
    withTop((s) => (s.incidents = [{ ...sampleIncident(), timeline: [{ at: 'then', kind: 'opened' }] }])),
  ],
  [
    'an incident with evidence frames not strings',
    withTop((s) => (s.incidents = [{ ...sampleIncident(), evidence: { stack: [1, 2] } }])),
  ],
];

const homes: string[] = [];
function homeWith(content: string | null): string {
  const home = mkdtempSync(join(tmpdir(), 'vg-status-'));
  homes.push(home);
  mkdirSync(join(home, 'run'));
  if (content !== null) writeFileSync(join(home, 'run', 'status.json'), content);
  return home;
}
after(() => {
  for (const home of homes) rmSync(home, { recursive: true, force: true });
});

function vigil(home: string, args: string[]) {
  const result = spawnSync(process.execPath, [VIGIL_BIN, ...args], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', VIGIL_HOME: home, LANG: 'C.UTF-8' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('status file reader', () => {
  test('the sample snapshot is valid, so each damage below is the only thing wrong', () => {
    assert.equal(checkStatus(sampleSnapshot()).ok, true);
    const home = homeWith(JSON.stringify(sampleSnapshot('x', 1000)));
    const read = readStatusFile(join(home, 'run', 'status.json'), 3000);
    assert.equal(read.kind, 'ok');
    assert.equal(read.kind === 'ok' && read.ageMs, 2000);
  });

  for (const [name, content] of DAMAGED) {
    test(`${name}: unreadable, with a reason`, () => {
      const read = readStatusFile(join(homeWith(content), 'run', 'status.json'));
      assert.equal(read.kind, 'unreadable', name);
      assert.ok(read.kind === 'unreadable' && read.reason.length > 0);
    });
  }

  test('absent, a symlink (never followed), a folder and an oversized file are told apart', () => {
    const home = homeWith(null);
    const path = join(home, 'run', 'status.json');
    assert.deepEqual(readStatusFile(path), { kind: 'absent' });
    const secret = join(home, 'secret.json');
    writeFileSync(secret, JSON.stringify(sampleSnapshot()));
    symlinkSync(secret, path);
    const linked = readStatusFile(path);
    assert.equal(linked.kind, 'unreadable');
    assert.match(linked.kind === 'unreadable' ? linked.reason : '', /symbolic link/);
    rmSync(path);
    mkdirSync(path);
    assert.equal(readStatusFile(path).kind, 'unreadable');
    rmSync(path, { recursive: true });
    writeFileSync(path, ' '.repeat(2 * 1024 * 1024));
    assert.equal(readStatusFile(path).kind, 'unreadable');
  });

  test('JSON that is not ours is not echoed back in the reason', () => {
    const read = readStatusFile(join(homeWith('root:x:0:0:secret'), 'run', 'status.json'));
    assert.ok(read.kind === 'unreadable' && !read.reason.includes('secret'), JSON.stringify(read));
  });
});

describe('vigil status and why on a damaged status file, no watchdog running', () => {
  // Each damage through one of the three readers in turn: every reader meets most kinds of damage.
  const READERS = [['status'], ['why'], ['status', '--json']];
  for (const [index, [name, content]] of DAMAGED.entries()) {
    const args = READERS[index % READERS.length] as string[];
    test(`${name}: vigil ${args.join(' ')} exits 3, "status file unreadable", no stack trace`, () => {
      const result = vigil(homeWith(content), args);
      const what = `vigil ${args.join(' ')} (${name}): ${result.stderr}`;
      assert.equal(result.code, 3, what);
      assert.match(result.stderr, /status file unreadable: .*status\.json: \S/, what);
      assert.doesNotMatch(result.stderr + result.stdout, /internal error|^\s+at /m, what);
      if (args.includes('--json')) {
        const out = JSON.parse(result.stdout) as { reachable: boolean; error: string };
        assert.equal(out.reachable, false);
        assert.match(out.error, /^status file unreadable: /);
      }
    });
  }

  test('a valid file is shown as STALE (a time no Date can hold does not crash it), exit 3', () => {
    for (const updatedAt of [Date.now() - 5000, 1e300]) {
      const home = homeWith(JSON.stringify(sampleSnapshot('disk ok', updatedAt)));
      const status = vigil(home, ['status']);
      assert.equal(status.code, 3, status.stderr);
      assert.match(status.stdout, /STALE/);
      assert.doesNotMatch(status.stderr, /unreadable/);
      const why = vigil(home, ['why']);
      assert.equal(why.code, 3, why.stderr);
      assert.match(why.stdout, /The watchdog is not running/);
    }
  });
});

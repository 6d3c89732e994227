import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { parseLevel, parseSince } from '../../src/logs/filters.ts';
import { makeLogHome, pinoLine, records, runLogs, T0 } from './support/log-home.ts';

const home = makeLogHome();
after(() => home.remove());
const env = { VIGIL_HOME: home.home };
const msgs = (stdout: string) => records(stdout).map((r) => r.msg);

const NOW = Date.now();
const ID = '20261123-100000-ab12';

before(() => {
  writeFileSync(
    home.watchdogLog,
    [
      pinoLine('watchdog', T0, 'started'),
      pinoLine('watchdog', T0 + 1000, 'heartbeat lost', { incidentId: ID }, 40),
      pinoLine('watchdog', T0 + 2000, 'soft recovery failed', { incidentId: ID }, 50),
      pinoLine('watchdog', T0 + 9000, 'incident closed', { incidentId: ID }),
      pinoLine('watchdog', NOW - 120_000, 'two minutes ago'),
      pinoLine('watchdog', NOW - 5_000, 'five seconds ago', {}, 20),
    ].join(''),
  );
  writeFileSync(
    home.agentLog,
    [
      pinoLine('agent', T0 + 500, 'agent up'),
      pinoLine('agent', T0 + 1500, 'recovering in place'),
      'Error: handler threw\n',
      pinoLine('agent', T0 + 6000, 'after the incident'),
      pinoLine('agent', NOW - 60_000, 'one minute ago', {}, 60),
    ].join(''),
  );
  // The incident opened at T0+900 and closed at T0+5000; the closing log line came later.
  writeFileSync(
    home.historyFile,
    [
      { v: 1, incidentId: ID, at: T0 + 900, kind: 'opened', signal: 'heartbeat-lost' },
      { v: 1, incidentId: ID, at: T0 + 1100, kind: 'rung', rung: 'soft' },
      { v: 1, incidentId: ID, at: T0 + 5000, kind: 'closed', outcome: 'restarted' },
      { v: 1, incidentId: 'other', at: T0 + 20_000, kind: 'opened', signal: 'cpu' },
    ]
      .map((event) => `${JSON.stringify(event)}\n`)
      .join(''),
  );
});

describe('filters', () => {
  test('levels by name or number, durations and ISO times', () => {
    assert.deepEqual(['trace', 'WARN', 'fatal', '35', 'loud'].map(parseLevel), [10, 40, 60, 35, null]);
    assert.equal(parseSince('10m', 1_000_000), 400_000);
    assert.equal(parseSince('2h', 10_000_000), 2_800_000);
    assert.equal(parseSince('1d', 100_000_000), 100_000_000 - 86_400_000);
    assert.equal(parseSince('2026-11-23T10:00:00Z'), T0);
    assert.equal(parseSince('10m ago', 1_000_000), 400_000);
    assert.equal(parseSince('-10m', 1_000_000), 400_000);
    // Clock times and day words, local time, as journalctl takes them.
    const now = new Date(2026, 10, 23, 15, 30, 0).getTime();
    assert.equal(parseSince('22:20', now), new Date(2026, 10, 23, 22, 20).getTime());
    assert.equal(parseSince('09:05:07', now), new Date(2026, 10, 23, 9, 5, 7).getTime());
    assert.equal(parseSince('yesterday', now), new Date(2026, 10, 22).getTime());
    assert.equal(parseSince('today', now), new Date(2026, 10, 23).getTime());
    assert.equal(parseSince('yesterday 22:20', now), new Date(2026, 10, 22, 22, 20).getTime());
    assert.equal(parseSince('now', now), now);
    for (const bad of ['25:00', '12:60', 'someday', 'yesterday 7pm'])
      assert.equal(parseSince(bad, now), null, bad);
  });

  test('--level shows that level and above, raw error lines included', async () => {
    const result = await runLogs(['--json', '--level', 'warn'], env);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(msgs(result.stdout), [
      'heartbeat lost',
      'Error: handler threw',
      'soft recovery failed',
      'one minute ago',
    ]);
    assert.deepEqual(msgs((await runLogs(['--json', '--level', '55'], env)).stdout), ['one minute ago']);
  });

  test('--unit shows one log', async () => {
    const agent = records((await runLogs(['--json', '--unit', 'agent'], env)).stdout);
    assert.deepEqual(new Set(agent.map((r) => r.component)), new Set(['agent']));
    assert.equal(agent.length, 5);
    const watchdog = records((await runLogs(['--json', '--unit', 'watchdog'], env)).stdout);
    assert.deepEqual(new Set(watchdog.map((r) => r.component)), new Set(['watchdog']));
  });

  test('--since takes a time ago or an ISO time, and shows every line after it', async () => {
    assert.deepEqual(msgs((await runLogs(['--json', '--since', '90s'], env)).stdout), [
      'one minute ago',
      'five seconds ago',
    ]);
    const iso = new Date(T0 + 5500).toISOString();
    const result = await runLogs(['--json', '--since', iso, '--unit', 'agent', '-n', '1'], env);
    assert.deepEqual(msgs(result.stdout), ['one minute ago']);
    assert.deepEqual(msgs((await runLogs(['--json', '--since', iso, '--unit', 'agent'], env)).stdout), [
      'after the incident',
      'one minute ago',
    ]);
  });

  test('--incident shows lines tagged with it and lines logged while it was open', async () => {
    const result = await runLogs(['--json', '--incident', ID], env);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(msgs(result.stdout), [
      'heartbeat lost',
      'recovering in place',
      'Error: handler threw',
      'soft recovery failed',
      'incident closed',
    ]);
  });

  test('an unknown incident, no log files, and bad options say what to do', async () => {
    const unknown = await runLogs(['--incident', 'nope'], env);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no incident "nope" in .*history\.jsonl/);
    assert.match(unknown.stderr, /vigil history/);

    const empty = makeLogHome();
    try {
      const none = await runLogs([], { VIGIL_HOME: empty.home });
      assert.equal(none.code, 1);
      assert.match(none.stderr, /no log files in .*log \(looked for watchdog\.log and agent\.log\)/);
      assert.match(none.stderr, /vigil run/);
    } finally {
      empty.remove();
    }

    for (const args of [
      ['--level', 'loud'],
      ['--unit', 'db'],
      ['--since', 'soon'],
      ['-n', '-3'],
      ['extra'],
      ['--bogus'],
    ]) {
      const bad = await runLogs(args, env);
      assert.equal(bad.code, 64, `${args.join(' ')}: ${bad.stderr}`);
      assert.match(bad.stderr, /vigil/);
    }
  });

  test('--help lists every option, the signals and the exit codes', async () => {
    const result = await runLogs(['--help'], env);
    assert.equal(result.code, 0);
    for (const option of [
      '-f',
      '-n',
      '--level',
      '--unit',
      '--since',
      '--incident',
      '--json',
      'SIGINT',
      '64',
    ]) {
      assert.ok(result.stdout.includes(option), `--help mentions ${option}`);
    }
  });
});

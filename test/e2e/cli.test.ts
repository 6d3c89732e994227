// The operator's surface against a running pair: every command, every exit code, --help for
// each, --json against the status schema.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sendRequest } from '@vigil/shared/client';
import { compileSchema, StatusSnapshot } from '@vigil/shared/schemas';
import { Pair } from '../support/pair.ts';

const validateStatus = compileSchema(StatusSnapshot, 'status');
const ESC = String.fromCharCode(27);
const hasColour = (text: string) => text.includes(`${ESC}[`);
const COMMANDS = [
  'run',
  'status',
  'history',
  'why',
  'logs',
  'recover',
  'pause',
  'resume',
  'chaos',
  'config',
  'install',
  'uninstall',
];

describe('vigil CLI', () => {
  const pair = new Pair();
  before(async () => {
    await pair.start();
    await pair.waitForHealthy();
  });
  after(() => pair.dispose());

  test('--help for every command: usage and exit codes, exit 0', () => {
    for (const command of COMMANDS) {
      const result = pair.cli([command, '--help']);
      assert.equal(result.code, 0, `${command} --help: ${result.stderr}`);
      assert.match(result.stdout, /^Usage: vigil /m, command);
      assert.match(result.stdout, /Exit codes/i, `${command} --help documents its exit codes`);
    }
    const top = pair.cli(['--help']);
    assert.equal(top.code, 0);
    for (const command of COMMANDS)
      assert.ok(top.stdout.includes(command), `top-level help lists ${command}`);
  });

  test('usage errors exit 64 and say what to do', () => {
    assert.equal(pair.cli([]).code, 64);
    const unknown = pair.cli(['frobnicate']);
    assert.equal(unknown.code, 64);
    assert.match(unknown.stderr, /unknown command "frobnicate"/);
    assert.equal(pair.cli(['status', '--bogus']).code, 64);
    assert.equal(pair.cli(['recover', 'gentle']).code, 64);
    assert.equal(pair.cli(['history', '-n', 'zero']).code, 64);
    assert.equal(pair.cli(['pause', '--for', 'a while']).code, 64);
    assert.equal(pair.cli(['chaos', 'meteor']).code, 64);
  });

  test('status: human view and --json, exit 0 when healthy', () => {
    const human = pair.cli(['status']);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /● healthy/);
    assert.match(human.stdout, /watchdog +pid \d+/);
    assert.match(human.stdout, /agent +pid \d+/);
    assert.ok(!hasColour(human.stdout), 'no colour when not on a TTY');
    const json = pair.cli(['status', '--json']);
    assert.equal(json.code, 0);
    const parsed = validateStatus(JSON.parse(json.stdout));
    assert.ok(parsed.ok, JSON.stringify(parsed));
  });

  test('colour is forced with FORCE_COLOR and always off with NO_COLOR', () => {
    assert.ok(hasColour(pair.cli(['status'], { FORCE_COLOR: '1' }).stdout));
    assert.ok(!hasColour(pair.cli(['status'], { FORCE_COLOR: '1', NO_COLOR: '1' }).stdout));
  });

  test('recover soft: exit 0, an operator incident resolved in history', async () => {
    const result = pair.cli(['recover', 'soft']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /soft recovery sent/);
    const incident = await pair.waitForIncident(
      (i) => i.signal === 'operator' && i.rungs.includes('soft'),
      5000,
      'soft incident',
    );
    assert.equal(incident.outcome, 'resolved');
    const history = pair.cli(['history', '--json', '-n', '1']);
    assert.equal(history.code, 0);
    assert.equal(JSON.parse(history.stdout).length, 1);
    assert.match(pair.cli(['history']).stdout, /operator: soft → resolved/);
  });

  test('recover medium: status exits 1 while degraded; recover --restore brings it back', async () => {
    assert.equal(pair.cli(['recover', 'medium']).code, 0);
    await pair.waitForStatus((s) => s.agent.state === 'degraded', 5000, 'degraded');
    assert.equal(pair.cli(['status']).code, 1);
    const restore = pair.cli(['recover', '--restore']);
    assert.equal(restore.code, 0, restore.stderr);
    await pair.waitForHealthy();
    assert.equal(pair.cli(['status']).code, 0);
  });

  test('why: one paragraph about the last incident and what comes next', () => {
    const result = pair.cli(['why']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /The agent \(pid \d+.*\) is healthy/);
    assert.match(result.stdout, /The last incident \(\d{8}-\d{6}-[0-9a-f]{4}/);
    assert.equal(result.stdout.trim().split('\n').length, 1, 'one paragraph');
  });

  test('pause and resume: status shows the maintenance window', async () => {
    const pause = pair.cli(['pause', '--for', '30m']);
    assert.equal(pause.code, 0, pause.stderr);
    assert.match(pause.stdout, /paused for 30m00s/);
    const paused = await pair.status();
    assert.equal(paused.watchdog.paused, true);
    assert.ok(paused.watchdog.pausedUntil && paused.watchdog.pausedUntil > Date.now() + 29 * 60_000);
    assert.match(pair.cli(['status']).stdout, /paused for maintenance/);
    assert.match(pair.cli(['why']).stdout, /paused for maintenance/);
    assert.equal(pair.cli(['recover', 'soft']).code, 1, 'recovery is refused while paused');
    assert.equal(pair.cli(['resume']).code, 0);
    assert.equal((await pair.status()).watchdog.paused, false);
  });

  test('recover hard: a new agent', async () => {
    const before = await pair.status();
    assert.equal(pair.cli(['recover', 'hard']).code, 0);
    const after = await pair.waitForStatus(
      (s) => s.agent.state === 'healthy' && s.agent.pid !== before.agent.pid,
      10_000,
      'new agent',
    );
    assert.equal(after.agent.restarts, 1);
  });

  test('the read-only status socket answers status and refuses control', async () => {
    const ok = await sendRequest(pair.paths.statusSocket, { op: 'status' });
    assert.equal(ok.ok, true);
    const refused = await sendRequest(pair.paths.statusSocket, { op: 'recover', level: 'hard' });
    assert.equal(refused.ok, false);
    assert.match(refused.ok ? '' : refused.error.message, /not allowed on the read-only status socket/);
  });

  test('config validate: 0 for a good file, 1 with path-precise problems for a bad one', () => {
    const good = pair.cli(['config', 'validate', join(pair.home, 'vigil.json')]);
    assert.equal(good.code, 0, good.stderr);
    assert.match(good.stdout, /^valid:/);
    const badFile = join(pair.home, 'bad.yaml');
    writeFileSync(badFile, 'watchdog:\n  heartbeat: { intervalMs: 250, timeoutMs: 100 }\n');
    const bad = pair.cli(['config', 'validate', badFile]);
    assert.equal(bad.code, 1);
    assert.match(
      bad.stderr,
      /watchdog\.heartbeat\.timeoutMs: must be greater than intervalMs \(250\), got 100/,
    );
  });

  test('logs: both logs, merged, as JSON lines', () => {
    const result = pair.cli(['logs', '-n', '40', '--json']);
    assert.equal(result.code, 0, result.stderr);
    const records = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { time: number; component: string });
    assert.ok(records.some((r) => r.component === 'watchdog'));
    assert.ok(records.some((r) => r.component === 'agent'));
    const times = records.map((r) => r.time);
    assert.deepEqual(
      times,
      [...times].sort((a, b) => a - b),
      'in time order',
    );
  });
});

describe('vigil CLI: refusals and failed states', () => {
  test('chaos is refused (exit 1, with the fix) when faults are disabled', async () => {
    const pair = new Pair({ agent: { faults: { enabled: false } } });
    try {
      await pair.start();
      await pair.waitForHealthy();
      const result = pair.cli(['chaos', 'hang']);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /fault injection is disabled/);
      assert.match(result.stderr, /agent\.faults\.enabled: true/);
    } finally {
      await pair.dispose();
    }
  });

  test('status exits 2 when the agent failed, and why says how to get it back', async () => {
    const pair = new Pair({
      agent: { command: [process.execPath, '-e', 'process.exit(1)'] },
      watchdog: {
        recovery: { backoff: { initialMs: 50, maxMs: 100 }, intensity: { maxRestarts: 2, withinMs: 60_000 } },
      },
    });
    try {
      await pair.start();
      await pair.waitForStatus((s) => s.agent.state === 'failed', 15_000, 'failed');
      assert.equal(pair.cli(['status']).code, 2);
      const why = pair.cli(['why']);
      assert.equal(why.code, 2);
      assert.match(why.stdout, /failed too often/);
      assert.match(why.stdout, /vigil recover hard/);
    } finally {
      await pair.dispose();
    }
  });
});

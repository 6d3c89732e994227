import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import type { LogRecord } from '../../src/logs/log-record.ts';
import { lastOf, mergeByTime } from '../../src/logs/merge.ts';
import { makeLogHome, pinoLine, records, runLogs, T0 } from './support/log-home.ts';

const home = makeLogHome();
const ESC = '\u001b[';
after(() => home.remove());

function record(unit: 'watchdog' | 'agent', time: number, line: string): LogRecord {
  return { time, level: 30, unit, line, json: null };
}

describe('merging the two logs', () => {
  test('records interleave by time; each list keeps its own order and ties go to the first list', () => {
    const watchdog = [record('watchdog', 1, 'w1'), record('watchdog', 3, 'w3'), record('watchdog', 5, 'w5')];
    // A clock step back inside one file does not reorder that file.
    const agent = [record('agent', 2, 'a2'), record('agent', 3, 'a3'), record('agent', 0, 'a0-after-step')];
    assert.deepEqual(
      mergeByTime([watchdog, agent]).map((r) => r.line),
      ['w1', 'a2', 'w3', 'a3', 'a0-after-step', 'w5'],
    );
    assert.deepEqual(lastOf([1, 2, 3], 2), [2, 3]);
    assert.deepEqual(lastOf([1, 2, 3], 0), []);
    assert.deepEqual(lastOf([1, 2, 3], null), [1, 2, 3]);
  });

  test('vigil logs prints both files in time order, raw agent output attributed to the agent', async () => {
    let watchdog = '';
    let agent = '';
    for (let i = 0; i < 20; i++) {
      watchdog += pinoLine('watchdog', T0 + i * 10, `w${i}`);
      agent += pinoLine('agent', T0 + i * 10 + 5, `a${i}`);
      if (i === 12) agent += 'TypeError: x is not a function\n    at tick (agent.js:9:3)\nafter the trace\n';
    }
    writeFileSync(home.watchdogLog, watchdog);
    writeFileSync(home.agentLog, agent);

    const result = await runLogs(['--json', '-n', '1000'], { VIGIL_HOME: home.home });
    assert.equal(result.code, 0, result.stderr);
    const printed = records(result.stdout);
    assert.equal(printed.length, 43);
    const times = printed.map((r) => r.time as number);
    assert.deepEqual(
      times,
      [...times].sort((a, b) => a - b),
    );
    const at = printed.findIndex((r) => r.msg === 'TypeError: x is not a function');
    assert.deepEqual(
      printed.slice(at - 1, at + 4).map((r) => [r.msg, r.component, r.level, r.time, r.raw]),
      [
        ['a12', 'agent', 30, T0 + 125, undefined],
        ['TypeError: x is not a function', 'agent', 50, T0 + 125, true],
        ['    at tick (agent.js:9:3)', 'agent', 50, T0 + 125, true],
        ['after the trace', 'agent', 40, T0 + 125, true],
        ['w13', 'watchdog', 30, T0 + 130, undefined],
      ],
    );

    const last = await runLogs(['--json', '-n', '3'], { VIGIL_HOME: home.home });
    assert.deepEqual(
      records(last.stdout).map((r) => r.msg),
      ['a18', 'w19', 'a19'],
    );
    const byDefault = await runLogs(['--json'], { VIGIL_HOME: home.home });
    assert.equal(records(byDefault.stdout).length, 43, 'the default of 50 shows all 43');
  });

  test('the pretty output names the component and has no colour when NO_COLOR is set', async () => {
    const result = await runLogs(['-n', '2'], { VIGIL_HOME: home.home, NO_COLOR: '1' });
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 2);
    assert.match(lines[0] ?? '', /INFO: watchdog +w19/);
    assert.match(lines[1] ?? '', /INFO: agent +a19/);
    assert.ok(!result.stdout.includes(ESC), 'no escape codes');
    const colored = await runLogs(['-n', '1'], { VIGIL_HOME: home.home, NO_COLOR: '', FORCE_COLOR: '1' });
    assert.ok(colored.stdout.includes(ESC), 'escape codes with FORCE_COLOR');
  });
});

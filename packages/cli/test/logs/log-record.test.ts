import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseJournalLine } from '../../src/logs/journal-entry.ts';
import { followedRecord, parsePinoLine, rawLineLevel, toJsonLine } from '../../src/logs/log-record.ts';
import { pinoLine, T0 } from './support/log-home.ts';

describe('log records', () => {
  test('a pino line is a record with its own time and level; anything else is raw', () => {
    assert.equal(parsePinoLine(pinoLine('agent', T0, 'up').trimEnd())?.msg, 'up');
    assert.equal(parsePinoLine('{"msg":"no time or level"}'), null);
    assert.equal(parsePinoLine('{not json'), null);
    assert.equal(parsePinoLine('plain text'), null);
  });

  test('raw lines (stderr: both processes log JSON on stdout) are errors when they read like one, else warnings', () => {
    assert.equal(rawLineLevel('TypeError: Cannot read properties of undefined'), 50);
    assert.equal(rawLineLevel('    at Object.<anonymous> (/srv/agent.js:3:9)'), 50);
    assert.equal(rawLineLevel('Debugger listening on ws://127.0.0.1:9229'), 40);
    assert.equal(rawLineLevel('Node.js v20.18.0'), 40);
    assert.equal(rawLineLevel('    ^'), 40);
  });

  test('a followed raw line takes the time it was read; a pino line keeps its own', () => {
    const raw = followedRecord('Error: boom', 'agent', T0 + 5000);
    assert.deepEqual(
      { time: raw.time, level: raw.level, unit: raw.unit, json: raw.json },
      { time: T0 + 5000, level: 50, unit: 'agent', json: null },
    );
    assert.equal(followedRecord(pinoLine('agent', T0, 'up').trimEnd(), 'agent', T0 + 5000).time, T0);
  });

  test('--json prints a pino line as written and wraps a raw one', () => {
    const line = pinoLine('watchdog', T0, 'x').trimEnd();
    assert.equal(toJsonLine(followedRecord(line, 'watchdog', 0)), line);
    assert.deepEqual(JSON.parse(toJsonLine(followedRecord('    at f (a.js:1:1)', 'agent', T0))), {
      time: T0,
      level: 50,
      component: 'agent',
      msg: '    at f (a.js:1:1)',
      raw: true,
    });
  });

  test('a journal entry maps MESSAGE, the unit and the realtime timestamp', () => {
    const pino = parseJournalLine(
      JSON.stringify({
        MESSAGE: pinoLine('agent', T0, 'from pino').trimEnd(),
        _SYSTEMD_UNIT: 'vigil-agent.service',
        __REALTIME_TIMESTAMP: String((T0 + 7) * 1000),
        __CURSOR: 'c1',
      }),
    );
    assert.deepEqual(
      [pino?.record.time, pino?.record.unit, pino?.record.json?.msg, pino?.cursor],
      [T0, 'agent', 'from pino', 'c1'],
    );
    const systemd = parseJournalLine(
      JSON.stringify({
        MESSAGE: 'vigil-agent.service: Main process exited, code=killed, status=9/KILL',
        _SYSTEMD_UNIT: 'init.scope',
        UNIT: 'vigil-agent.service',
        PRIORITY: '4',
        __REALTIME_TIMESTAMP: String((T0 + 7) * 1000 + 999),
      }),
    );
    assert.deepEqual(
      [systemd?.record.time, systemd?.record.unit, systemd?.record.level, systemd?.record.json],
      [T0 + 7, 'agent', 40, null],
    );
    const bytes = parseJournalLine(
      JSON.stringify({ MESSAGE: [...Buffer.from('Error: bytes')], _SYSTEMD_UNIT: 'vigil-watchdog.service' }),
    );
    assert.deepEqual(
      [bytes?.record.line, bytes?.record.unit, bytes?.record.level],
      ['Error: bytes', 'watchdog', 50],
    );
  });

  test("under journald a raw line has the journal's time; the unit's own output is read as stderr, systemd's at its priority", () => {
    const entry = (fields: Record<string, unknown>) =>
      parseJournalLine(JSON.stringify({ __REALTIME_TIMESTAMP: String((T0 + 42) * 1000), ...fields }))?.record;
    const fromAgent = entry({
      MESSAGE: 'Node.js v20.18.0',
      _SYSTEMD_UNIT: 'vigil-agent.service',
      PRIORITY: '6',
    });
    assert.deepEqual([fromAgent?.time, fromAgent?.level, fromAgent?.unit], [T0 + 42, 40, 'agent']);
    const started = entry({
      MESSAGE: 'Started vigil-agent.service - vigil agent.',
      _SYSTEMD_UNIT: 'init.scope',
      UNIT: 'vigil-agent.service',
      PRIORITY: '6',
    });
    assert.deepEqual([started?.time, started?.level, started?.unit], [T0 + 42, 30, 'agent']);
    const critical = entry({ MESSAGE: 'disk gone', _SYSTEMD_UNIT: 'vigil-agent.service', PRIORITY: '2' });
    assert.equal(critical?.level, 60);
    const debug = entry({ MESSAGE: 'chatter', _SYSTEMD_UNIT: 'vigil-agent.service', PRIORITY: '7' });
    assert.equal(debug?.level, 20);
  });
});

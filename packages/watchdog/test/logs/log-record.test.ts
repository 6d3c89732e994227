import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseJournalLine } from '../../src/logs/journal-entry.ts';
import { ForwardLineParser, parsePinoLine, rawLineLevel, toJsonLine } from '../../src/logs/log-record.ts';
import { pinoLine, T0 } from './support/log-home.ts';

describe('log records', () => {
  test('a pino line is a record with its own time and level; anything else is raw', () => {
    assert.equal(parsePinoLine(pinoLine('agent', T0, 'up').trimEnd())?.msg, 'up');
    assert.equal(parsePinoLine('{"msg":"no time or level"}'), null);
    assert.equal(parsePinoLine('{not json'), null);
    assert.equal(parsePinoLine('plain text'), null);
  });

  test('raw lines that read like an error or a stack frame are errors, others info', () => {
    assert.equal(rawLineLevel('TypeError: Cannot read properties of undefined'), 50);
    assert.equal(rawLineLevel('    at Object.<anonymous> (/srv/agent.js:3:9)'), 50);
    assert.equal(rawLineLevel('Debugger listening on ws://127.0.0.1:9229'), 30);
  });

  test('a raw line takes the time of the pino line before it in the same file, else the fallback', () => {
    const parser = new ForwardLineParser('agent');
    assert.equal(parser.parse('early output', 999).time, 999);
    parser.parse(pinoLine('agent', T0, 'up').trimEnd(), 999);
    const raw = parser.parse('Error: boom', 999);
    assert.deepEqual(
      { time: raw.time, level: raw.level, unit: raw.unit, json: raw.json },
      {
        time: T0,
        level: 50,
        unit: 'agent',
        json: null,
      },
    );
  });

  test('--json prints a pino line as written and wraps a raw one', () => {
    const line = pinoLine('watchdog', T0, 'x').trimEnd();
    const parser = new ForwardLineParser('agent', T0);
    assert.equal(toJsonLine(new ForwardLineParser('watchdog').parse(line, 0)), line);
    assert.deepEqual(JSON.parse(toJsonLine(parser.parse('    at f (a.js:1:1)', 0))), {
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
});

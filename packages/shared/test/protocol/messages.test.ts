import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PROTOCOL_VERSION, parseAgentMessage, parseWatchdogMessage } from '@vigil/shared';

const hello = { v: 1, type: 'hello', pid: 1234, version: '0.1.0', startTime: 1_700_000_000_000 };
const heartbeat = {
  v: 1,
  type: 'heartbeat',
  seq: 7,
  mono: 1234.5,
  lagMs: 1.2,
  heapUsedBytes: 10_000_000,
  rssBytes: 50_000_000,
  progress: 42,
  health: { status: 'ok', checks: { total: 3, ok: 3, warn: 0, critical: 0 } },
  state: 'ready',
};
const result = { v: 1, type: 'result', id: 'c1', ok: true, did: ['gc: freed 3 MiB'], durationMs: 12 };
const welcome = { v: 1, type: 'welcome', accepted: true, watchdogPid: 99, heartbeatIntervalMs: 250 };
const recover = { v: 1, type: 'command', id: 'c1', cmd: 'recover', level: 'soft' };
const fault = { v: 1, type: 'command', id: 'c2', cmd: 'fault', fault: { name: 'leak', mbPerSec: 20 } };
const ping = { v: 1, type: 'command', id: 'c3', cmd: 'ping' };
const restore = { v: 1, type: 'command', id: 'c4', cmd: 'restore' };
const maintenance = { v: 1, type: 'command', id: 'c5', cmd: 'maintenance', untilMs: 0 };

function rejects(parse: (v: unknown) => { ok: boolean; errors?: string[] }, value: unknown, field: RegExp) {
  const parsed = parse(value);
  assert.equal(parsed.ok, false, `expected ${field} to be rejected`);
  const text = (parsed as { errors: string[] }).errors.join('\n');
  assert.match(text, field);
}

describe('agent → watchdog messages', () => {
  test('the protocol version is 1', () => assert.equal(PROTOCOL_VERSION, 1));

  test('hello: valid accepted; bad shapes name the field', () => {
    assert.equal(parseAgentMessage(hello).ok, true);
    rejects(parseAgentMessage, { ...hello, pid: 0 }, /hello\.pid: must be >= 1, got 0/);
    rejects(parseAgentMessage, { ...hello, pid: '12' }, /hello\.pid: must be an integer/);
    rejects(parseAgentMessage, { ...hello, version: undefined }, /hello\.version: is required/);
    rejects(parseAgentMessage, { ...hello, extra: true }, /hello\.extra: unknown key/);
  });

  test('hello with another protocol version is refused plainly', () => {
    rejects(parseAgentMessage, { ...hello, v: 2 }, /message\.v: protocol version 2 is not supported/);
  });

  test('heartbeat: valid accepted; bad shapes name the field', () => {
    assert.equal(parseAgentMessage(heartbeat).ok, true);
    rejects(parseAgentMessage, { ...heartbeat, seq: -1 }, /heartbeat\.seq: must be >= 0/);
    rejects(parseAgentMessage, { ...heartbeat, seq: 1.5 }, /heartbeat\.seq: must be an integer/);
    rejects(
      parseAgentMessage,
      { ...heartbeat, health: { status: 'great' } },
      /heartbeat\.health\.status: must be one of "ok", "warn", "failing", "degraded", got "great"/,
    );
    rejects(parseAgentMessage, { ...heartbeat, rssBytes: 'lots' }, /heartbeat\.rssBytes: must be an integer/);
    rejects(
      parseAgentMessage,
      { ...heartbeat, health: { status: 'ok', summary: 'x'.repeat(600) } },
      /heartbeat\.health\.summary: must NOT have more than 512 characters/,
    );
  });

  test('result: valid accepted; bad shapes name the field', () => {
    assert.equal(parseAgentMessage(result).ok, true);
    rejects(parseAgentMessage, { ...result, ok: 'yes' }, /result\.ok: must be true or false/);
    rejects(parseAgentMessage, { ...result, id: '' }, /result\.id: must NOT have fewer than 1 characters/);
    rejects(parseAgentMessage, { ...result, did: 'gc' }, /result\.did: must be a list/);
    rejects(parseAgentMessage, { ...result, durationMs: undefined }, /result\.durationMs: is required/);
  });

  test('a deeply nested value where a name belongs is an error, never a stack overflow', () => {
    const deep = JSON.parse(`${'['.repeat(20_000)}${']'.repeat(20_000)}`);
    rejects(parseAgentMessage, { v: 1, type: deep }, /message\.type: must be one of .*got a list of 1/);
    rejects(
      parseAgentMessage,
      { v: deep, type: 'hello' },
      /message\.v: protocol version a list of 1 is not supported/,
    );
    rejects(parseWatchdogMessage, { v: 1, type: 'command', cmd: deep }, /command\.cmd: must be one of/);
  });

  test('unknown or missing type is named', () => {
    rejects(
      parseAgentMessage,
      { v: 1, type: 'bogus' },
      /message\.type: must be one of "hello", "heartbeat", "result", got "bogus"/,
    );
    rejects(parseAgentMessage, { v: 1 }, /message\.type: must be one of .* got nothing/);
    rejects(parseAgentMessage, [1, 2], /message: must be a JSON object/);
    rejects(parseAgentMessage, null, /message: must be a JSON object/);
    rejects(parseAgentMessage, 'hello', /message: must be a JSON object/);
  });
});

describe('watchdog → agent messages', () => {
  test('welcome: valid accepted; bad shapes name the field', () => {
    assert.equal(parseWatchdogMessage(welcome).ok, true);
    rejects(parseWatchdogMessage, { ...welcome, accepted: 1 }, /welcome\.accepted: must be true or false/);
    rejects(
      parseWatchdogMessage,
      { ...welcome, heartbeatIntervalMs: 1 },
      /welcome\.heartbeatIntervalMs: must be >= 10/,
    );
    rejects(
      parseWatchdogMessage,
      { ...welcome, watchdogPid: undefined },
      /welcome\.watchdogPid: is required/,
    );
  });

  test('every command shape is accepted', () => {
    for (const command of [recover, fault, ping, restore, maintenance]) {
      assert.deepEqual(parseWatchdogMessage(command), { ok: true, value: command });
    }
  });

  test('recover: bad shapes name the field', () => {
    rejects(
      parseWatchdogMessage,
      { ...recover, level: 'hard' },
      /command\.level: must be one of "soft", "medium", got "hard"/,
    );
    rejects(parseWatchdogMessage, { ...recover, id: undefined }, /command\.id: is required/);
    rejects(
      parseWatchdogMessage,
      { ...recover, cmd: 'explode' },
      /command\.cmd: must be one of "recover", "restore", "ping", "fault", "maintenance", got "explode"/,
    );
  });

  test('fault: bad shapes name the field', () => {
    rejects(
      parseWatchdogMessage,
      { ...fault, fault: { name: 'meltdown' } },
      /command\.fault\.name: must be one of/,
    );
    rejects(
      parseWatchdogMessage,
      { ...fault, fault: { name: 'leak', mbPerSec: -1 } },
      /command\.fault\.mbPerSec: must be > 0/,
    );
    rejects(
      parseWatchdogMessage,
      { ...fault, fault: { name: 'crash', exitCode: 300 } },
      /command\.fault\.exitCode: must be <= 255/,
    );
    rejects(parseWatchdogMessage, { ...fault, fault: undefined }, /command\.fault: is required/);
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseControlRequest, parseControlResponse, READ_ONLY_OPS } from '@vigil/shared';
import { compileSchema, StatusSnapshot } from '@vigil/shared/schemas';

const base = { v: 1, type: 'request', id: 'r1' };

function errorsOf(parsed: { ok: boolean; errors?: string[] }): string {
  assert.equal(parsed.ok, false);
  return (parsed as { errors: string[] }).errors.join('\n');
}

describe('control requests', () => {
  test('every operation is accepted in its valid shape', () => {
    const valid = [
      { ...base, op: 'status' },
      { ...base, op: 'history', n: 5 },
      { ...base, op: 'recover', level: 'hard' },
      { ...base, op: 'restore' },
      { ...base, op: 'pause', forMs: 1_800_000 },
      { ...base, op: 'pause' },
      { ...base, op: 'resume' },
      { ...base, op: 'fault', fault: { name: 'hang', seconds: 3 } },
    ];
    for (const request of valid) assert.equal(parseControlRequest(request).ok, true, JSON.stringify(request));
  });

  test('bad shapes name the field', () => {
    assert.match(
      errorsOf(parseControlRequest({ ...base, op: 'reboot' })),
      /request\.op: must be one of .*"status".* got "reboot"/,
    );
    assert.match(
      errorsOf(parseControlRequest({ ...base, op: 'recover', level: 'nuclear' })),
      /request\.level: must be one of "soft", "medium", "hard"/,
    );
    assert.match(errorsOf(parseControlRequest({ ...base, op: 'history', n: 0 })), /request\.n: must be >= 1/);
    assert.match(
      errorsOf(parseControlRequest({ ...base, op: 'pause', forMs: 'soon' })),
      /request\.forMs: must be an integer/,
    );
    assert.match(
      errorsOf(parseControlRequest({ ...base, type: 'heartbeat', op: 'status' })),
      /request\.type: must be "request"/,
    );
    assert.match(
      errorsOf(parseControlRequest({ ...base, id: undefined, op: 'status' })),
      /request\.id: is required/,
    );
  });

  test('only status and history are read-only', () => {
    assert.deepEqual([...READ_ONLY_OPS].sort(), ['history', 'status']);
  });
});

describe('control responses', () => {
  test('success and error shapes', () => {
    assert.equal(
      parseControlResponse({ v: 1, type: 'response', id: 'r1', ok: true, data: { any: 'thing' } }).ok,
      true,
    );
    assert.equal(
      parseControlResponse({
        v: 1,
        type: 'response',
        id: 'r1',
        ok: false,
        error: { code: 'VIGIL_X', message: 'no' },
      }).ok,
      true,
    );
    assert.equal(parseControlResponse({ v: 1, type: 'response', id: 'r1', ok: false }).ok, false);
    assert.equal(parseControlResponse({ v: 1, type: 'response', ok: true, data: 1 }).ok, false);
  });
});

describe('status snapshot schema', () => {
  const validate = compileSchema(StatusSnapshot, 'status');
  const snapshot = {
    v: 1,
    updatedAt: 1,
    watchdog: {
      pid: 10,
      version: '0.1.0',
      uptimeMs: 5,
      mode: 'embedded',
      startedAt: 0,
      paused: false,
      pausedUntil: null,
    },
    agent: {
      state: 'healthy',
      pid: 11,
      uptimeMs: 4,
      lastHeartbeatAgoMs: 100,
      restarts: 0,
      rssBytes: 1000,
      cpuPercent: 0.5,
      eventLoopLagMs: 1,
      health: { status: 'ok' },
      version: '0.1.0',
      adopted: false,
      startedAt: 1,
    },
    recovery: {
      rung: 'none',
      incidentId: null,
      signal: null,
      backoffMs: null,
      nextRetryAt: null,
      restartsInWindow: 0,
    },
    incidents: [],
  };

  test('accepts a full snapshot', () => assert.deepEqual(validate(structuredClone(snapshot)).ok, true));

  test('rejects wrong agent state, missing fields and wrong types', () => {
    assert.match(
      errorsOf(validate({ ...snapshot, agent: { ...snapshot.agent, state: 'zombie' } })),
      /status\.agent\.state: must be one of/,
    );
    const { watchdog: _omit, ...noWatchdog } = snapshot;
    assert.match(errorsOf(validate(noWatchdog)), /status\.watchdog: is required/);
    assert.match(
      errorsOf(validate({ ...snapshot, recovery: { ...snapshot.recovery, rung: 'extreme' } })),
      /status\.recovery\.rung/,
    );
  });
});

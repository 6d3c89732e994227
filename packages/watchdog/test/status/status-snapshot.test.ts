import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AgentState, HeartbeatMessage } from '@vigil/shared';
import { initialLadderState, type LadderState } from '../../src/ladder/ladder-state.ts';
import type { LaunchedAgent } from '../../src/launcher/launcher.ts';
import { agentState, buildStatus } from '../../src/status/status-snapshot.ts';
import { type AgentFacts, freshFacts } from '../../src/supervisor/agent-facts.ts';

function beat(over: Partial<HeartbeatMessage> = {}): HeartbeatMessage {
  return {
    v: 1,
    type: 'heartbeat',
    seq: 1,
    mono: 1,
    lagMs: 2,
    heapUsedBytes: 1,
    rssBytes: 50_000_000,
    progress: 1,
    health: { status: 'ok' },
    state: 'ready',
    ...over,
  };
}

function ladder(over: Partial<LadderState>): LadderState {
  return { ...initialLadderState(), ...over };
}

const incident = { id: 'i', signal: 'exit' as const, detail: '', openedAtWall: 0, openedAt: 0, rungs: [] };
const lost = { 'heartbeat-lost': { detail: 'x', since: 0 } };

describe('agent state: a table of phase × facts', () => {
  const rows: [string, Partial<LadderState>, Partial<AgentFacts>, AgentState][] = [
    ['stopped', { phase: 'stopped' }, {}, 'stopped'],
    ['starting, first start', { phase: 'starting' }, {}, 'starting'],
    ['starting after an incident', { phase: 'starting', incident }, {}, 'recovering'],
    ['running, ok beats', { phase: 'running' }, { lastHeartbeat: beat() }, 'healthy'],
    [
      'running, degraded state',
      { phase: 'running' },
      { lastHeartbeat: beat({ state: 'degraded' }) },
      'degraded',
    ],
    [
      'running, degraded health',
      { phase: 'running' },
      { lastHeartbeat: beat({ health: { status: 'degraded' } }) },
      'degraded',
    ],
    [
      'running, heartbeat lost',
      { phase: 'running', active: lost },
      { lastHeartbeat: beat() },
      'unresponsive',
    ],
    ['soft', { phase: 'soft' }, {}, 'recovering'],
    ['medium', { phase: 'medium' }, {}, 'recovering'],
    ['backoff', { phase: 'backoff' }, {}, 'recovering'],
    ['stopping a hung agent', { phase: 'stopping', active: lost }, {}, 'unresponsive'],
    ['stopping after a memory rung', { phase: 'stopping' }, {}, 'recovering'],
    ['failed phase', { phase: 'failed' }, {}, 'failed'],
    ['probing while failed', { phase: 'starting', failed: true, incident }, {}, 'failed'],
  ];
  for (const [name, state, facts, expected] of rows) {
    test(`${name} → ${expected}`, () => {
      assert.equal(agentState(ladder(state), { ...freshFacts(), ...facts }), expected);
    });
  }
});

describe('the status object', () => {
  const agent: LaunchedAgent = {
    pid: 4242,
    startTicks: 1,
    startedAt: 1_000_000,
    cmdline: ['node'],
    instance: 'x',
    adopted: false,
  };
  const base = {
    nowMono: 50_000,
    nowWall: 1_060_000,
    watchdog: { pid: 7, version: '1.0.0', startedAtWall: 1_000_000, mode: 'embedded' as const, home: '/h' },
    withinMs: 60_000,
    agent,
    worstHeartbeatGapMs: 300,
    incidents: [],
  };

  test('the pause comes from the ladder’s one pause, so its end never goes stale', () => {
    const paused = buildStatus({
      ...base,
      ladder: ladder({ phase: 'running', paused: { until: 60_000, untilWall: 1_070_000 } }),
      facts: freshFacts(),
    });
    assert.equal(paused.watchdog.paused, true);
    assert.equal(paused.watchdog.pausedUntil, 1_070_000);
    const ended = buildStatus({
      ...base,
      ladder: ladder({ phase: 'running', paused: null }),
      facts: freshFacts(),
    });
    assert.equal(ended.watchdog.paused, false);
    assert.equal(ended.watchdog.pausedUntil, null);
  });

  test('restarts, backoff and the window are derived from the ladder; the heartbeat age from the facts', () => {
    const s = buildStatus({
      ...base,
      ladder: ladder({
        phase: 'backoff',
        incident,
        nextRetryAt: 51_500,
        restartCount: 4,
        restarts: { times: [-20_000, 20_000, 45_000], consecutive: 3 },
      }),
      facts: { ...freshFacts(), lastBeatAt: 49_000, lastHeartbeat: beat() },
    });
    assert.equal(s.agent.restarts, 4);
    assert.equal(s.recovery.rung, 'hard');
    assert.equal(s.recovery.backoffMs, 1500);
    assert.equal(s.recovery.nextRetryAt, 1_061_500);
    assert.equal(s.recovery.restartsInWindow, 2, 'the restart 70 s ago left the 60 s window');
    assert.equal(s.agent.lastHeartbeatAgoMs, 1000);
    assert.equal(s.agent.uptimeMs, 60_000);
  });

  test('a pair stopped by a signal says so; a shutting-down ladder is not "paused"', () => {
    const s = buildStatus({
      ...base,
      watchdog: { ...base.watchdog, stopped: { reason: 'received SIGINT', at: 1_059_000 } },
      ladder: ladder({ phase: 'stopped', shuttingDown: true, paused: null }),
      facts: freshFacts(),
    });
    assert.equal(s.agent.state, 'stopped');
    assert.equal(s.watchdog.paused, false);
    assert.deepEqual(s.watchdog.stopped, { reason: 'received SIGINT', at: 1_059_000 });
  });
});

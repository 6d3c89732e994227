// The textfile's series: every labelled counter is there at 0 before its first event (a series
// born at 1 is invisible to increase(), so the first incident of a kind would never alert), the
// file says when it was written (a dead watchdog leaves a stale file, not a silent one), and the
// crash-loop guard and lost heartbeats are counters of their own.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { IncidentEvent, StatusSnapshot } from '@vigil/shared';
import { AgentState, IncidentOutcome, Rung, SignalKind } from '@vigil/shared/schemas';
import { renderProm, WatchdogCounters } from '../../src/status/prom-textfile.ts';

const status = (over: Partial<StatusSnapshot> = {}): StatusSnapshot => ({
  v: 1,
  updatedAt: 1_767_225_600_250,
  watchdog: {
    pid: 42,
    version: '1.2.3',
    uptimeMs: 0,
    mode: 'embedded',
    startedAt: 1_767_225_000_000,
    paused: false,
    pausedUntil: null,
  },
  agent: {
    state: 'healthy',
    pid: 7,
    uptimeMs: 0,
    lastHeartbeatAgoMs: 0,
    restarts: 0,
    rssBytes: null,
    cpuPercent: null,
    eventLoopLagMs: null,
    health: null,
    version: null,
    adopted: false,
    startedAt: null,
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
  ...over,
});

const values = (union: { anyOf: { const: string }[] }) => union.anyOf.map((s) => s.const);
const event = (kind: IncidentEvent['kind'], fields: Partial<IncidentEvent> = {}): IncidentEvent => ({
  v: 1,
  incidentId: 'i-1',
  at: 0,
  kind,
  ...fields,
});
const sample = (text: string, series: string) =>
  new RegExp(`^${series.replace(/[{}[\]()+.*?^$|\\]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1];

describe('the metrics textfile', () => {
  test('every label value of every counter and state is present before anything happened', () => {
    const text = renderProm(status(), new WatchdogCounters());
    for (const signal of values(SignalKind)) {
      assert.equal(sample(text, `vigil_incidents_total{signal="${signal}"}`), '0', signal);
    }
    for (const outcome of values(IncidentOutcome)) {
      assert.equal(sample(text, `vigil_incidents_closed_total{outcome="${outcome}"}`), '0', outcome);
    }
    for (const rung of values(Rung)) assert.equal(sample(text, `vigil_rungs_total{rung="${rung}"}`), '0');
    for (const state of values(AgentState)) {
      assert.equal(sample(text, `vigil_agent_state{state="${state}"}`), state === 'healthy' ? '1' : '0');
    }
    assert.equal(sample(text, 'vigil_agent_failed_total'), '0');
    assert.equal(sample(text, 'vigil_heartbeat_misses_total'), '0');
  });

  test('it carries the time it was written, and who wrote it', () => {
    const text = renderProm(status(), new WatchdogCounters());
    assert.equal(sample(text, 'vigil_watchdog_last_update_timestamp_seconds'), '1767225600.25');
    assert.equal(sample(text, 'vigil_watchdog_info{version="1.2.3",mode="embedded"}'), '1');
  });

  test('lost heartbeats and the crash-loop guard are counted from incident events', () => {
    const counters = new WatchdogCounters();
    counters.count(event('opened', { signal: 'heartbeat-lost' }));
    counters.count(event('opened', { signal: 'process-stopped' }));
    counters.count(event('opened', { signal: 'exit' }));
    counters.count(event('rung', { rung: 'hard' }));
    counters.count(event('failed', { detail: '5 restarts within the intensity window' }));
    counters.count(event('closed', { outcome: 'restarted' }));
    const text = renderProm(status({}), counters);
    assert.equal(sample(text, 'vigil_heartbeat_misses_total'), '2');
    assert.equal(sample(text, 'vigil_agent_failed_total'), '1');
    assert.equal(sample(text, 'vigil_incidents_total{signal="exit"}'), '1');
    assert.equal(sample(text, 'vigil_incidents_total{signal="cpu"}'), '0');
    assert.equal(sample(text, 'vigil_rungs_total{rung="hard"}'), '1');
    assert.equal(sample(text, 'vigil_incidents_closed_total{outcome="restarted"}'), '1');
  });
});

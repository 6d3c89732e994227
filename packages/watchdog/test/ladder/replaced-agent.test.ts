/**
 * The ladder when the agent is restarted by someone else (an operator's `systemctl restart` of
 * the agent unit): the new agent is adopted and the restart is recorded as the operator's, with
 * no rung, no alert, and no count toward the crash-loop guard.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FakeClock, type IncidentEvent } from '@vigil/shared';
import {
  type LadderAlert,
  type LadderConfig,
  type LadderPorts,
  RecoveryLadder,
  type StopRequest,
} from '../../src/ladder/recovery-ladder.ts';
import { RestartPolicy } from '../../src/ladder/restart-policy.ts';

const CONFIG: LadderConfig = {
  softVerifyMs: 2000,
  mediumVerifyMs: 3000,
  startupGraceMs: 10_000,
  stableAfterMs: 30_000,
  probeMs: 180_000,
  risingSamples: 2,
};
const DETAIL = 'vigil-agent.service was restarted outside the watchdog (e.g. systemctl restart)';

function harness(maxRestarts = 5) {
  const clock = new FakeClock();
  const starts: number[] = [];
  const stops: StopRequest[] = [];
  const records: IncidentEvent[] = [];
  const alerts: LadderAlert[] = [];
  let ids = 0;
  const ports: LadderPorts = {
    start: () => starts.push(clock.now()),
    stop: (request) => stops.push(request),
    sendRecover: () => true,
    isResponsive: () => true,
    record: (event) => records.push(event),
    alert: (alert) => alerts.push(alert),
    changed: () => {},
    newIncidentId: () => `inc-${++ids}`,
  };
  const policy = new RestartPolicy(
    { initialMs: 500, maxMs: 30_000, jitter: 0, maxRestarts, withinMs: 60_000 },
    () => 0,
  );
  const ladder = new RecoveryLadder(clock, ports, CONFIG, policy);
  return {
    clock,
    ladder,
    policy,
    starts,
    stops,
    records,
    alerts,
    up(pid: number) {
      if (ladder.phase === 'stopped') ladder.dispatch({ type: 'begin', adopted: false });
      ladder.dispatch({ type: 'started', pid });
      ladder.dispatch({ type: 'hello', pid });
      assert.equal(ladder.phase, 'running');
    },
    replaced(pid: number) {
      ladder.dispatch({ type: 'replaced', pid, detail: DETAIL });
    },
    kinds(incidentId?: string) {
      return records
        .filter((r) => !incidentId || r.incidentId === incidentId)
        .map((r) => (r.rung ? `${r.kind}:${r.rung}` : r.kind));
    },
  };
}

describe('recovery ladder: an agent restarted by someone else', () => {
  test('is adopted and recorded as the operator’s, with no rung, no alert and no stop or start', () => {
    const h = harness();
    h.up(100);
    h.replaced(200);
    assert.equal(h.ladder.phase, 'starting');
    assert.equal(h.ladder.incident, null, 'nothing is left open');
    assert.equal(h.ladder.rung, 'none');
    assert.deepEqual(h.kinds(), ['opened', 'started', 'closed']);
    const [opened, started, closed] = h.records;
    assert.equal(opened?.signal, 'operator');
    assert.equal(opened?.detail, DETAIL);
    assert.equal(started?.pid, 200);
    assert.equal(closed?.outcome, 'restarted');
    assert.equal(closed?.rung, undefined);
    assert.deepEqual(h.alerts, []);
    assert.deepEqual(h.stops, []);
    assert.equal(h.starts.length, 1, 'only the first start, no restart of its own');
    h.ladder.dispatch({ type: 'hello', pid: 200 });
    assert.equal(h.ladder.phase, 'running');
    assert.equal(h.records.length, 3);
  });

  test('does not count toward the crash-loop guard: the next crash restarts at once', () => {
    const h = harness(1);
    h.up(100);
    for (let pid = 200; pid < 205; pid++) {
      h.replaced(pid);
      h.ladder.dispatch({ type: 'hello', pid });
    }
    assert.equal(h.policy.restartsInWindow(h.clock.now()), 0);
    h.ladder.dispatch({ type: 'exit', detail: 'agent pid 204 killed by SIGKILL' });
    assert.equal(h.ladder.phase, 'stopping');
    h.ladder.dispatch({ type: 'stopped', how: 'already-exited' });
    assert.equal(h.starts.length, 2, 'restarted at once, not failed');
  });

  test('supersedes a rung in progress: that incident is closed as aborted', () => {
    const h = harness();
    h.up(100);
    h.ladder.dispatch({ type: 'signal', kind: 'self-failing', detail: 'health failing' });
    assert.equal(h.ladder.phase, 'soft');
    const alertsBefore = h.alerts.length;
    h.replaced(200);
    assert.deepEqual(h.kinds('inc-1'), ['opened', 'rung:soft', 'closed:soft']);
    assert.equal(h.records.find((r) => r.incidentId === 'inc-1' && r.kind === 'closed')?.outcome, 'aborted');
    assert.deepEqual(h.kinds('inc-2'), ['opened', 'started', 'closed']);
    assert.equal(h.alerts.length, alertsBefore, 'no alert for the replacement');
    // The soft rung's verify window no longer applies to the new agent.
    h.ladder.dispatch({ type: 'hello', pid: 200 });
    h.clock.advance(CONFIG.softVerifyMs + CONFIG.mediumVerifyMs);
    assert.equal(h.ladder.phase, 'running');
    assert.deepEqual(h.stops, []);
  });

  test('ends a failed period without a "recovered" alert, and the probe is off', () => {
    const h = harness(1);
    h.up(100);
    h.ladder.dispatch({ type: 'exit', detail: 'agent pid 100 exited with code 1' });
    h.ladder.dispatch({ type: 'stopped', how: 'already-exited' });
    h.ladder.dispatch({ type: 'start-failed', detail: 'exited with code 1 at once' });
    assert.equal(h.ladder.phase, 'failed');
    assert.equal(h.ladder.failed, true);
    const alertsBefore = h.alerts.length;
    const startsBefore = h.starts.length;
    h.replaced(300);
    assert.equal(h.ladder.failed, false);
    h.ladder.dispatch({ type: 'hello', pid: 300 });
    assert.equal(h.ladder.phase, 'running');
    h.clock.advance(CONFIG.probeMs);
    assert.equal(h.starts.length, startsBefore, 'no probe start after the adoption');
    assert.equal(h.alerts.length, alertsBefore);
  });

  test('a new agent that never says hello is caught by the startup grace like any other', () => {
    const h = harness();
    h.up(100);
    h.replaced(200);
    h.clock.advance(CONFIG.startupGraceMs);
    assert.equal(h.ladder.phase, 'stopping');
    assert.equal(h.stops[0]?.kind, 'no-hello');
  });
});

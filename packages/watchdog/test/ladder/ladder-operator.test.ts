/**
 * Operator requests join what is in progress and spend a budget of their own; an agent
 * restarted by someone else (an operator's `systemctl restart`) is adopted and recorded as the
 * operator's, with no rung, no alert and no count toward the crash-loop guard.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { currentRung } from '../../src/ladder/ladder-state.ts';
import { restartsInWindow } from '../../src/ladder/restart-window.ts';
import { CONFIG, harness } from './ladder-harness.ts';

describe('recovery ladder: operator requests join what is in progress', () => {
  test('hard while stopping, backing off or starting joins it: no second stop, no budget spent', () => {
    const h = harness();
    h.up();
    h.dispatch({ type: 'exit', detail: 'crashed' });
    const id = h.state.incident?.id;
    assert.equal(h.state.phase, 'stopping');
    const before = h.effects.length;
    assert.deepEqual(h.operator('hard'), {
      incidentId: id,
      accepted: true,
      joined: true,
      detail: 'joined the hard recovery in progress (stopping the agent)',
    });
    assert.deepEqual(
      h.effects.slice(before).map((e) => e.type),
      ['reply'],
      'a join changes nothing but the answer',
    );
    h.stopped();
    assert.equal(h.state.phase, 'starting', 'the first restart is immediate');
    assert.equal(h.operator('hard').detail, 'joined the hard recovery in progress (starting the agent)');
    h.dispatch({ type: 'exit', detail: 'crashed again' });
    h.stopped();
    assert.equal(h.state.phase, 'backoff');
    assert.equal(
      h.operator('hard').detail,
      'joined the hard recovery in progress (backing off before the next start)',
    );
    assert.equal(h.state.phase, 'backoff', 'the backoff is not cut short');
    assert.equal(h.stops.length, 2, 'only the automatic stops');
    h.advance(1000);
    assert.equal(h.state.phase, 'starting', 'the backoff ran its course');
    h.dispatch({ type: 'hello', pid: 7 });
    for (let i = 0; i < 3; i++) {
      assert.equal(h.operator('hard').joined, undefined, `restart ${i + 1} is a new one`);
      h.stopped();
      h.dispatch({ type: 'hello', pid: 8 + i });
    }
  });

  test('soft while soft runs joins it; medium while soft climbs; soft while medium joins', () => {
    const h = harness();
    h.up();
    assert.equal(h.operator('soft').accepted, true);
    const id = h.state.incident?.id;
    assert.deepEqual(h.operator('soft'), {
      incidentId: id,
      accepted: true,
      joined: true,
      detail: 'joined the soft recovery in progress',
    });
    assert.equal(h.commands.length, 1, 'no second soft command sent');
    assert.equal(h.operator('medium').joined, undefined);
    assert.equal(h.state.phase, 'medium');
    assert.equal(h.operator('soft').joined, true);
    assert.equal(h.operator('medium').joined, true);
    assert.equal(h.state.incident?.id, id);
    assert.deepEqual(
      h.commands.map((c) => c.level),
      ['soft', 'medium'],
    );
  });
});

describe('recovery ladder: the operator restart budget', () => {
  test('three restarts in 60 s, then refused with when the next is allowed; monotonic time', () => {
    const h = harness();
    h.up();
    for (let i = 0; i < 3; i++) {
      assert.equal(h.operator('hard').accepted, true, `restart ${i + 1}`);
      h.stopped();
      h.dispatch({ type: 'hello', pid: 200 + i });
      h.advance(1000);
    }
    h.advance(16_000); // 19 s after the first restart
    assert.deepEqual(h.operator('hard'), {
      incidentId: null,
      accepted: false,
      detail: 'operator restart budget spent: 3 in the last 60 s; next allowed in 41 s',
    });
    assert.equal(h.state.phase, 'running', 'a refusal changes nothing');
    assert.equal(h.stops.length, 3);
    h.advance(40_999);
    assert.match(h.operator('hard').detail, /next allowed in 1 s/);
    h.advance(1);
    assert.equal(h.operator('hard').accepted, true, 'the first restart left the window');
    assert.equal(h.stops.length, 4);
  });

  test('the budget is its own: operator restarts never count toward the crash-loop intensity', () => {
    const h = harness({ maxRestarts: 2 });
    h.up();
    for (let i = 0; i < 3; i++) {
      h.operator('hard');
      h.stopped();
      h.dispatch({ type: 'hello', pid: 300 + i });
    }
    assert.equal(h.state.failed, false);
    assert.equal(h.state.phase, 'running');
  });

  test('the limits come from the config', () => {
    const h = harness({ operatorRestarts: 1 });
    h.up();
    assert.equal(h.operator('hard').accepted, true);
    h.stopped();
    h.dispatch({ type: 'hello', pid: 2 });
    assert.equal(
      h.operator('hard').detail,
      'operator restart budget spent: 1 in the last 60 s; next allowed in 60 s',
    );
  });

  test('a paused ladder refuses, and so does one shutting down', () => {
    const h = harness();
    h.up();
    h.pause();
    assert.equal(h.operator('hard').detail, 'the watchdog is paused; `vigil resume` first');
    h.dispatch({ type: 'shutdown' });
    assert.equal(h.operator('hard').detail, 'the watchdog is shutting down');
    assert.equal(h.stops.length, 0);
  });
});

const DETAIL = 'vigil-agent.service was restarted outside the watchdog (e.g. systemctl restart)';

describe('recovery ladder: an agent restarted by someone else', () => {
  test('is adopted and recorded as the operator’s, with no rung, no alert and no stop or start', () => {
    const h = harness();
    h.up(100);
    h.dispatch({ type: 'replaced', pid: 200, detail: DETAIL });
    assert.equal(h.state.phase, 'starting');
    assert.equal(h.state.incident, null, 'nothing is left open');
    assert.equal(currentRung(h.state), 'none');
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
    h.dispatch({ type: 'hello', pid: 200 });
    assert.equal(h.state.phase, 'running');
    assert.equal(h.records.length, 3);
  });

  test('does not count toward the crash-loop guard: the next crash restarts at once', () => {
    const h = harness({ maxRestarts: 1 });
    h.up(100);
    for (let pid = 200; pid < 205; pid++) {
      h.dispatch({ type: 'replaced', pid, detail: DETAIL });
      h.dispatch({ type: 'hello', pid });
    }
    assert.equal(restartsInWindow(h.state.restarts, h.now, CONFIG.intensity.withinMs), 0);
    h.dispatch({ type: 'exit', detail: 'agent pid 204 killed by SIGKILL' });
    assert.equal(h.state.phase, 'stopping');
    h.stopped('already-exited');
    assert.equal(h.starts.length, 2, 'restarted at once, not failed');
  });

  test('supersedes a rung in progress: that incident is closed as aborted', () => {
    const h = harness();
    h.up(100);
    h.dispatch({ type: 'signal', kind: 'self-failing', detail: 'health failing' });
    assert.equal(h.state.phase, 'soft');
    const alertsBefore = h.alerts.length;
    h.dispatch({ type: 'replaced', pid: 200, detail: DETAIL });
    assert.deepEqual(h.kinds('inc-1'), ['opened', 'rung:soft', 'closed:soft']);
    assert.equal(h.records.find((r) => r.incidentId === 'inc-1' && r.kind === 'closed')?.outcome, 'aborted');
    assert.deepEqual(h.kinds('inc-2'), ['opened', 'started', 'closed']);
    assert.equal(h.alerts.length, alertsBefore, 'no alert for the replacement');
    h.dispatch({ type: 'hello', pid: 200 });
    h.advance(CONFIG.softVerifyMs + CONFIG.mediumVerifyMs);
    assert.equal(h.state.phase, 'running');
    assert.deepEqual(h.stops, []);
  });

  test('ends a failed period without a "recovered" alert, and the probe is off', () => {
    const h = harness({ maxRestarts: 1 });
    h.up(100);
    h.dispatch({ type: 'exit', detail: 'agent pid 100 exited with code 1' });
    h.stopped('already-exited');
    h.dispatch({ type: 'start-failed', detail: 'exited with code 1 at once' });
    assert.equal(h.state.phase, 'failed');
    assert.equal(h.state.failed, true);
    const alertsBefore = h.alerts.length;
    const startsBefore = h.starts.length;
    h.dispatch({ type: 'replaced', pid: 300, detail: DETAIL });
    assert.equal(h.state.failed, false);
    h.dispatch({ type: 'hello', pid: 300 });
    assert.equal(h.state.phase, 'running');
    h.advance(CONFIG.probeMs);
    assert.equal(h.starts.length, startsBefore, 'no probe start after the adoption');
    assert.equal(h.alerts.length, alertsBefore);
  });

  test('a new agent that never says hello is caught by the startup grace like any other', () => {
    const h = harness();
    h.up(100);
    h.dispatch({ type: 'replaced', pid: 200, detail: DETAIL });
    h.advance(CONFIG.startupGraceMs);
    assert.equal(h.state.phase, 'stopping');
    assert.equal(h.stops[0]?.kind, 'no-hello');
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { IncidentEvent } from '@vigil/shared';
import { FakeClock } from '@vigil/shared/testing';
import type { LadderAlert, StopRequest } from '../../src/ladder/ladder-events.ts';
import { type LoopPorts, RunLoop } from '../../src/supervisor/run-loop.ts';
import { CONFIG } from '../ladder/ladder-harness.ts';

function loop(options: { canSend?: boolean } = {}) {
  const clock = new FakeClock();
  const calls = {
    starts: 0,
    stops: [] as StopRequest[],
    sends: [] as string[],
    records: [] as IncidentEvent[],
  };
  const alerts: LadderAlert[] = [];
  let changed = 0;
  let ids = 0;
  const ports: LoopPorts = {
    start: () => calls.starts++,
    stop: (request) => calls.stops.push(request),
    send: (level, id) => {
      calls.sends.push(`${level}:${id}`);
      return options.canSend ?? true;
    },
    record: (event) => calls.records.push(event),
    alert: (alert) => alerts.push(alert),
    responsive: () => true,
    newIncidentId: () => `inc-${++ids}`,
    changed: () => changed++,
  };
  const l = new RunLoop(clock, CONFIG, ports, () => 0);
  return { clock, l, calls, alerts, changes: () => changed };
}

describe('the run loop', () => {
  test('timers armed by the ladder post their events back; a disarmed one never fires', () => {
    const { clock, l, calls } = loop();
    l.post({ type: 'begin', adopted: false });
    assert.equal(calls.starts, 1);
    assert.equal(clock.pending, 1, 'the startup grace is armed');
    l.post({ type: 'hello', pid: 5 });
    assert.equal(clock.pending, 1, 'grace disarmed, stable armed');
    clock.advance(CONFIG.stableAfterMs);
    assert.equal(clock.pending, 0);
    assert.equal(l.state.restarts.consecutive, 0);
  });

  test('a command that cannot be sent escalates, as a send-failed event in the same turn', () => {
    const { l, calls } = loop({ canSend: false });
    l.post({ type: 'begin', adopted: false });
    l.post({ type: 'hello', pid: 5 });
    l.post({ type: 'signal', kind: 'self-failing', detail: 'x' });
    assert.deepEqual(calls.sends, ['soft:soft-1', 'medium:medium-2']);
    assert.equal(l.state.phase, 'stopping');
    assert.equal(calls.stops.length, 1);
  });

  test('an operator request is answered by its reply; a join or refusal writes no status', () => {
    const { l, changes } = loop();
    l.post({ type: 'begin', adopted: false });
    l.post({ type: 'hello', pid: 5 });
    const before = changes();
    const accepted = l.post({ type: 'operator', level: 'hard' });
    assert.equal(accepted?.accepted, true);
    assert.ok(changes() > before);
    const quiet = changes();
    const joined = l.post({ type: 'operator', level: 'hard' });
    assert.equal(joined?.joined, true);
    assert.equal(changes(), quiet, 'nothing changed, nothing written');
  });

  test('events posted from inside a turn wait for it to end', () => {
    const clock = new FakeClock();
    const order: string[] = [];
    let l!: RunLoop;
    l = new RunLoop(clock, CONFIG, {
      start: () => {
        order.push('start');
        // A launcher that answers at once, from inside the effect.
        assert.equal(l.post({ type: 'started', pid: 9 }), undefined);
        order.push('after post');
      },
      stop: () => {},
      send: () => true,
      record: (event) => order.push(event.kind),
      alert: () => {},
      responsive: () => true,
      newIncidentId: () => 'inc',
      changed: () => {},
    });
    l.post({ type: 'begin', adopted: false });
    assert.deepEqual(order, ['start', 'after post']);
    assert.equal(l.state.phase, 'starting');
  });

  test('close clears every timer', () => {
    const { clock, l } = loop();
    l.post({ type: 'begin', adopted: false });
    l.close();
    assert.equal(clock.pending, 0);
  });
});

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

/** A ladder wired to recording ports and a fake clock. */
function harness(options: { jitterRandom?: number; maxRestarts?: number } = {}) {
  const clock = new FakeClock();
  const starts: number[] = [];
  const stops: StopRequest[] = [];
  const commands: { level: string; id: string }[] = [];
  const records: IncidentEvent[] = [];
  const alerts: LadderAlert[] = [];
  let responsive = true;
  let ids = 0;
  const changes = { count: 0 };
  const ports: LadderPorts = {
    start: () => starts.push(clock.now()),
    stop: (request) => stops.push(request),
    sendRecover: (level, id) => {
      if (!responsive) return false;
      commands.push({ level, id });
      return true;
    },
    isResponsive: () => responsive,
    record: (event) => records.push(event),
    alert: (alert) => alerts.push(alert),
    changed: () => {
      changes.count++;
    },
    newIncidentId: () => `inc-${++ids}`,
  };
  const policy = new RestartPolicy(
    { initialMs: 500, maxMs: 30_000, jitter: 0.25, maxRestarts: options.maxRestarts ?? 5, withinMs: 60_000 },
    () => options.jitterRandom ?? 0,
  );
  const ladder = new RecoveryLadder(clock, ports, CONFIG, policy);
  const h = {
    clock,
    ladder,
    starts,
    stops,
    commands,
    records,
    alerts,
    changes,
    setResponsive(value: boolean) {
      responsive = value;
    },
    /** Starts the agent and brings it to running. */
    up(pid = 100) {
      if (ladder.phase === 'stopped') ladder.dispatch({ type: 'begin', adopted: false });
      ladder.dispatch({ type: 'started', pid });
      ladder.dispatch({ type: 'hello', pid });
      assert.equal(ladder.phase, 'running');
    },
    lastCommand() {
      return commands.at(-1) as { level: string; id: string };
    },
    result(ok = true, did = ['done']) {
      ladder.dispatch({ type: 'result', id: h.lastCommand().id, ok, did, durationMs: 5 });
    },
    /** Completes the hard stop the ladder asked for. */
    stopped(how = 'SIGTERM') {
      ladder.dispatch({ type: 'stopped', how });
    },
    kinds(incidentId?: string) {
      return records
        .filter((r) => !incidentId || r.incidentId === incidentId)
        .map((r) => (r.rung ? `${r.kind}:${r.rung}` : r.kind));
    },
    closed() {
      return records.filter((r) => r.kind === 'closed');
    },
  };
  return h;
}

describe('recovery ladder: the climb', () => {
  test('begin starts the agent; hello makes it running with no incident', () => {
    const h = harness();
    h.ladder.dispatch({ type: 'begin', adopted: false });
    assert.equal(h.starts.length, 1);
    assert.equal(h.ladder.phase, 'starting');
    h.ladder.dispatch({ type: 'hello', pid: 100 });
    assert.equal(h.ladder.phase, 'running');
    assert.equal(h.ladder.incident, null);
    assert.deepEqual(h.records, []);
  });

  test('a signal cleared after soft resolves the incident without a restart', () => {
    const h = harness();
    h.up();
    h.ladder.dispatch({ type: 'signal', kind: 'self-failing', detail: 'health failing' });
    assert.equal(h.ladder.phase, 'soft');
    assert.equal(h.ladder.rung, 'soft');
    assert.equal(h.lastCommand().level, 'soft');
    h.result(true, ['cache cleared']);
    h.ladder.dispatch({ type: 'cleared', kind: 'self-failing' });
    assert.equal(h.ladder.phase, 'running');
    assert.deepEqual(h.kinds(), ['opened', 'rung:soft', 'result:soft', 'closed:soft']);
    assert.equal(h.closed()[0]?.outcome, 'resolved');
    assert.deepEqual(h.records.find((r) => r.kind === 'result')?.did, ['cache cleared']);
    assert.equal(h.starts.length, 1, 'no restart');
    assert.equal(h.stops.length, 0);
  });

  test('not cleared: soft → medium → hard → restart, each after its verify window', () => {
    const h = harness();
    h.up();
    h.ladder.dispatch({ type: 'signal', kind: 'memory', detail: 'RSS 160 MiB > 150 MiB' });
    h.result();
    h.clock.advance(1999);
    assert.equal(h.ladder.phase, 'soft');
    h.clock.advance(1);
    assert.equal(h.ladder.phase, 'medium');
    assert.equal(h.lastCommand().level, 'medium');
    h.result();
    h.clock.advance(3000);
    assert.equal(h.ladder.phase, 'stopping');
    assert.deepEqual(h.stops[0], { kind: 'memory', responsive: true, incidentId: 'inc-1' });
    h.stopped();
    assert.equal(h.starts.length, 2, 'the first restart is immediate');
    h.ladder.dispatch({ type: 'started', pid: 101 });
    h.ladder.dispatch({ type: 'hello', pid: 101 });
    assert.deepEqual(h.kinds(), [
      'opened',
      'rung:soft',
      'result:soft',
      'escalated:medium',
      'rung:medium',
      'result:medium',
      'escalated:hard',
      'rung:hard',
      'stopped',
      'started',
      'closed:hard',
    ]);
    assert.equal(h.closed()[0]?.outcome, 'restarted');
  });

  test('a medium that clears leaves the incident resolved at medium', () => {
    const h = harness();
    h.up();
    h.ladder.dispatch({ type: 'signal', kind: 'self-failing', detail: 'x' });
    h.result();
    h.clock.advance(2000);
    h.result();
    h.ladder.dispatch({ type: 'cleared', kind: 'self-failing' });
    assert.equal(h.ladder.phase, 'running');
    assert.equal(h.closed()[0]?.outcome, 'resolved');
    assert.equal(h.closed()[0]?.rung, 'medium');
    assert.equal(h.stops.length, 0);
  });

  test('memory still rising right after the soft result climbs at once, not after the window', () => {
    const h = harness();
    h.up();
    h.ladder.dispatch({ type: 'signal', kind: 'memory', detail: 'over' });
    // Samples before the result do not count: the handler has not run yet.
    h.ladder.dispatch({ type: 'trend', kind: 'memory', rising: true });
    h.ladder.dispatch({ type: 'trend', kind: 'memory', rising: true });
    assert.equal(h.ladder.phase, 'soft');
    h.result();
    h.clock.advance(250);
    h.ladder.dispatch({ type: 'trend', kind: 'memory', rising: true });
    h.clock.advance(250);
    h.ladder.dispatch({ type: 'trend', kind: 'memory', rising: true });
    assert.equal(h.ladder.phase, 'medium');
    assert.equal(h.clock.now(), 500);
    h.result();
    h.ladder.dispatch({ type: 'trend', kind: 'memory', rising: true });
    h.ladder.dispatch({ type: 'trend', kind: 'memory', rising: false });
    h.ladder.dispatch({ type: 'trend', kind: 'memory', rising: true });
    assert.equal(h.ladder.phase, 'medium', 'a falling sample resets the count');
    h.ladder.dispatch({ type: 'trend', kind: 'memory', rising: true });
    assert.equal(h.ladder.phase, 'stopping');
    assert.match(
      h.records.find((r) => r.kind === 'escalated')?.detail ?? '',
      /still rising 2 samples after soft/,
    );
  });

  test('a failed result escalates at once', () => {
    const h = harness();
    h.up();
    h.ladder.dispatch({ type: 'signal', kind: 'cpu', detail: 'hot' });
    h.ladder.dispatch({
      type: 'result',
      id: h.lastCommand().id,
      ok: false,
      did: [],
      durationMs: 1,
      error: 'boom',
    });
    assert.equal(h.ladder.phase, 'medium');
  });

  test('no result within the verify window escalates', () => {
    const h = harness();
    h.up();
    h.ladder.dispatch({ type: 'signal', kind: 'cpu', detail: 'hot' });
    h.ladder.dispatch({ type: 'cleared', kind: 'cpu' });
    assert.equal(h.ladder.phase, 'running', 'cleared before the result still resolves');
    h.ladder.dispatch({ type: 'signal', kind: 'cpu', detail: 'hot again' });
    h.clock.advance(2000);
    assert.equal(h.ladder.phase, 'medium');
    assert.match(h.records.filter((r) => r.kind === 'escalated').at(-1)?.detail ?? '', /no result/);
  });
});

describe('recovery ladder: skipping rungs', () => {
  test('heartbeat lost skips soft and medium: straight to hard, as unresponsive', () => {
    const h = harness();
    h.up();
    h.setResponsive(false);
    h.ladder.dispatch({ type: 'signal', kind: 'heartbeat-lost', detail: 'no heartbeat for 1500 ms' });
    assert.equal(h.ladder.phase, 'stopping');
    assert.deepEqual(h.stops[0], { kind: 'heartbeat-lost', responsive: false, incidentId: 'inc-1' });
    assert.deepEqual(h.kinds(), ['opened', 'rung:hard']);
  });

  test('a stopped process goes straight to hard', () => {
    const h = harness();
    h.up();
    h.ladder.dispatch({ type: 'signal', kind: 'process-stopped', detail: 'state T' });
    assert.equal(h.stops[0]?.responsive, false);
  });

  test('a memory signal while the agent is unresponsive records skipped rungs', () => {
    const h = harness();
    h.up();
    h.setResponsive(false);
    h.ladder.dispatch({ type: 'signal', kind: 'memory', detail: 'over' });
    assert.deepEqual(h.kinds(), ['opened', 'skipped:soft', 'skipped:medium', 'rung:hard']);
    assert.equal(h.stops[0]?.responsive, false);
  });

  test('the memory ceiling skips the ladder even when the agent answers', () => {
    const h = harness();
    h.up();
    h.ladder.dispatch({ type: 'signal', kind: 'memory-ceiling', detail: 'RSS 190 MiB > ceiling 180 MiB' });
    assert.equal(h.ladder.phase, 'stopping');
    assert.equal(h.stops[0]?.responsive, true);
    assert.equal(h.commands.length, 0);
  });

  test('heartbeat lost during soft jumps to hard', () => {
    const h = harness();
    h.up();
    h.ladder.dispatch({ type: 'signal', kind: 'self-failing', detail: 'x' });
    h.setResponsive(false);
    h.ladder.dispatch({ type: 'signal', kind: 'heartbeat-lost', detail: 'gone' });
    assert.equal(h.ladder.phase, 'stopping');
    assert.equal(h.ladder.incident?.signal, 'self-failing', 'the same incident continues');
  });

  test('a crash is hard by definition, and the restart is immediate', () => {
    const h = harness();
    h.up();
    h.ladder.dispatch({ type: 'exit', detail: 'exit code 1' });
    assert.deepEqual(h.stops[0], { kind: 'exit', responsive: false, incidentId: 'inc-1' });
    h.stopped('already-exited');
    assert.equal(h.starts.length, 2);
    assert.equal(h.clock.now(), 0);
  });

  test('no hello within the startup grace kills and restarts', () => {
    const h = harness();
    h.ladder.dispatch({ type: 'begin', adopted: false });
    h.ladder.dispatch({ type: 'started', pid: 7 });
    h.clock.advance(10_000);
    assert.equal(h.ladder.phase, 'stopping');
    assert.equal(h.stops[0]?.kind, 'no-hello');
  });

  test('an adopted agent gets the startup grace to say hello', () => {
    const h = harness();
    h.ladder.dispatch({ type: 'begin', adopted: true });
    assert.equal(h.starts.length, 0, 'adoption does not start a second agent');
    h.ladder.dispatch({ type: 'hello', pid: 5 });
    assert.equal(h.ladder.phase, 'running');
  });

  test('a start that fails outright backs off like a crash', () => {
    const h = harness();
    h.up();
    h.ladder.dispatch({ type: 'exit', detail: 'code 1' });
    h.stopped();
    h.ladder.dispatch({ type: 'start-failed', detail: 'ENOENT' });
    assert.equal(h.ladder.phase, 'backoff');
  });
});

describe('recovery ladder: crash-loop guard', () => {
  function crashLoop(h: ReturnType<typeof harness>) {
    h.ladder.dispatch({ type: 'exit', detail: 'code 1' });
    h.stopped('already-exited');
  }

  test('backoff doubles from the second restart, capped, with jitter only ever shortening it', () => {
    const h = harness({ jitterRandom: 1, maxRestarts: 100 });
    h.up();
    const delays: number[] = [];
    for (let i = 0; i < 9; i++) {
      crashLoop(h);
      if (h.ladder.phase === 'backoff') {
        delays.push((h.ladder.nextRetryAt ?? 0) - h.clock.now());
        h.clock.advance(delays.at(-1) ?? 0);
      }
      assert.equal(h.ladder.phase, 'starting');
      h.ladder.dispatch({ type: 'started', pid: 200 + i });
    }
    // jitter 0.25 at random()=1: each delay is 75% of nominal 500, 1000, 2000, ...
    assert.deepEqual(delays, [375, 750, 1500, 3000, 6000, 12_000, 22_500, 22_500]);
  });

  test('jitter bounds: every delay lies within [75%, 100%] of nominal', () => {
    for (const r of [0, 0.3, 0.999]) {
      const policy = new RestartPolicy(
        { initialMs: 500, maxMs: 30_000, jitter: 0.25, maxRestarts: 5, withinMs: 60_000 },
        () => r,
      );
      for (let n = 1; n < 12; n++) {
        const nominal = Math.min(30_000, 500 * 2 ** (n - 1));
        const d = policy.delayFor(n);
        assert.ok(d >= nominal * 0.75 && d <= nominal, `delay ${d} for n=${n}, r=${r}`);
      }
      assert.equal(policy.delayFor(0), 0);
    }
  });

  test('a stable period resets the backoff: the next crash restarts at once again', () => {
    const h = harness();
    h.up();
    crashLoop(h);
    h.ladder.dispatch({ type: 'hello', pid: 101 });
    crashLoop(h);
    assert.equal(h.ladder.phase, 'backoff', 'second crash before stable backs off');
    h.clock.advance(500);
    h.ladder.dispatch({ type: 'hello', pid: 102 });
    h.clock.advance(30_000);
    crashLoop(h);
    assert.equal(h.ladder.phase, 'starting', 'after 30 s healthy the restart is immediate');
  });

  test('over the intensity: failed, one alert, slow probes, never a tight loop, never giving up', () => {
    const h = harness();
    h.up();
    for (let i = 0; i < 5; i++) {
      crashLoop(h);
      if (h.ladder.phase === 'backoff') h.clock.runNext();
      assert.equal(h.ladder.phase, 'starting');
    }
    assert.equal(h.starts.length, 6, 'the first start and five restarts');
    crashLoop(h);
    assert.equal(h.ladder.phase, 'failed');
    assert.equal(h.ladder.failed, true);
    assert.equal(h.alerts.filter((a) => a.kind === 'failed').length, 1);
    const probeAt = h.ladder.nextRetryAt ?? 0;
    assert.equal(probeAt - h.clock.now(), 180_000);
    const alertsBefore = h.alerts.length;
    // Each probe that fails goes back to failed without another alert.
    for (let probe = 0; probe < 3; probe++) {
      h.clock.advance(179_999);
      assert.equal(h.ladder.phase, 'failed');
      h.clock.advance(1);
      assert.equal(h.ladder.phase, 'starting', `probe ${probe}`);
      crashLoop(h);
      assert.equal(h.ladder.phase, 'failed');
    }
    assert.equal(h.alerts.length, alertsBefore, 'probes do not alert again');
    assert.equal(h.starts.length, 9);
    // A probe that comes up ends the failure, with one "recovered" alert.
    h.clock.advance(180_000);
    h.ladder.dispatch({ type: 'hello', pid: 999 });
    assert.equal(h.ladder.phase, 'running');
    assert.equal(h.ladder.failed, false);
    assert.deepEqual(
      h.alerts.filter((a) => a.kind !== 'rung').map((a) => a.kind),
      ['failed', 'recovered'],
    );
    assert.equal(h.closed().at(-1)?.outcome, 'restarted');
  });
});

describe('recovery ladder: operator requests join what is in progress', () => {
  test('hard while stopping, backing off or starting joins it: no second stop, no budget spent', () => {
    const h = harness();
    h.up();
    h.ladder.dispatch({ type: 'exit', detail: 'crashed' });
    const id = h.ladder.incident?.id;
    assert.equal(h.ladder.phase, 'stopping');
    const changesBefore = h.changes.count;
    const joined = h.ladder.operatorRecover('hard');
    assert.equal(h.changes.count, changesBefore, 'a join changes nothing, so nothing is rewritten');
    assert.deepEqual(joined, {
      accepted: true,
      joined: true,
      detail: 'joined the hard recovery in progress (stopping the agent)',
    });
    assert.equal(h.ladder.incident?.id, id, 'the same incident');
    h.stopped();
    assert.equal(h.ladder.phase, 'starting', 'the first restart is immediate');
    assert.equal(
      h.ladder.operatorRecover('hard').detail,
      'joined the hard recovery in progress (starting the agent)',
    );
    h.ladder.dispatch({ type: 'exit', detail: 'crashed again' });
    h.stopped();
    assert.equal(h.ladder.phase, 'backoff');
    assert.equal(
      h.ladder.operatorRecover('hard').detail,
      'joined the hard recovery in progress (backing off before the next start)',
    );
    assert.equal(h.ladder.phase, 'backoff', 'the backoff is not cut short');
    assert.equal(h.stops.length, 2, 'only the automatic stops');
    assert.equal(h.starts.length, 2);
    // None of the joins spent the budget: three operator restarts are still allowed.
    h.clock.advance(1000);
    assert.equal(h.ladder.phase, 'starting', 'the backoff ran its course');
    h.ladder.dispatch({ type: 'hello', pid: 7 });
    assert.equal(h.ladder.phase, 'running');
    for (let i = 0; i < 3; i++) {
      assert.equal(h.ladder.operatorRecover('hard').joined, undefined, `restart ${i + 1} is a new one`);
      h.stopped();
      h.ladder.dispatch({ type: 'hello', pid: 8 + i });
    }
  });

  test('soft while soft runs joins it; medium while soft climbs; soft while medium joins', () => {
    const h = harness();
    h.up();
    assert.equal(h.ladder.operatorRecover('soft').accepted, true);
    const id = h.ladder.incident?.id;
    assert.deepEqual(h.ladder.operatorRecover('soft'), {
      accepted: true,
      joined: true,
      detail: 'joined the soft recovery in progress',
    });
    assert.equal(h.commands.length, 1, 'no second soft command sent');
    assert.equal(h.ladder.operatorRecover('medium').joined, undefined);
    assert.equal(h.ladder.phase, 'medium');
    assert.equal(h.ladder.operatorRecover('soft').joined, true);
    assert.equal(h.ladder.operatorRecover('medium').joined, true);
    assert.equal(h.ladder.incident?.id, id);
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
      assert.equal(h.ladder.operatorRecover('hard').accepted, true, `restart ${i + 1}`);
      h.stopped();
      h.ladder.dispatch({ type: 'hello', pid: 200 + i });
      h.clock.advance(1000);
    }
    h.clock.advance(16_000); // 19 s after the first restart
    assert.deepEqual(h.ladder.operatorRecover('hard'), {
      accepted: false,
      detail: 'operator restart budget spent: 3 in the last 60 s; next allowed in 41 s',
    });
    assert.equal(h.ladder.phase, 'running', 'a refusal changes nothing');
    assert.equal(h.stops.length, 3);
    h.clock.advance(40_999);
    const before = h.changes.count;
    assert.match(h.ladder.operatorRecover('hard').detail, /next allowed in 1 s/);
    assert.equal(h.changes.count, before, 'a refusal changes nothing, so nothing is rewritten');
    h.clock.advance(1);
    assert.equal(h.ladder.operatorRecover('hard').accepted, true, 'the first restart left the window');
    assert.equal(h.stops.length, 4);
  });

  test('the budget is its own: operator restarts never count toward the crash-loop intensity', () => {
    const h = harness({ maxRestarts: 2 });
    h.up();
    for (let i = 0; i < 3; i++) {
      h.ladder.operatorRecover('hard');
      h.stopped();
      h.ladder.dispatch({ type: 'hello', pid: 300 + i });
    }
    assert.equal(h.ladder.failed, false);
    assert.equal(h.ladder.phase, 'running');
  });

  test('the limits come from the config', () => {
    const clock = new FakeClock();
    const noop = () => {};
    const ladder = new RecoveryLadder(
      clock,
      {
        start: noop,
        stop: noop,
        sendRecover: () => true,
        isResponsive: () => true,
        record: noop,
        alert: noop,
        changed: noop,
        newIncidentId: () => 'inc',
      },
      { ...CONFIG, operatorRestarts: { maxRestarts: 1, withinMs: 10_000 } },
      new RestartPolicy({ initialMs: 500, maxMs: 30_000, jitter: 0, maxRestarts: 5, withinMs: 60_000 }),
    );
    ladder.dispatch({ type: 'begin', adopted: false });
    ladder.dispatch({ type: 'hello', pid: 1 });
    assert.equal(ladder.operatorRecover('hard').accepted, true);
    ladder.dispatch({ type: 'stopped', how: 'SIGTERM' });
    ladder.dispatch({ type: 'hello', pid: 2 });
    assert.equal(
      ladder.operatorRecover('hard').detail,
      'operator restart budget spent: 1 in the last 10 s; next allowed in 10 s',
    );
  });
});

describe('recovery ladder: operator commands', () => {
  test('recover soft with nothing wrong opens an operator incident closed by the result', () => {
    const h = harness();
    h.up();
    assert.deepEqual(h.ladder.operatorRecover('soft'), {
      accepted: true,
      detail: 'soft recovery sent to the agent',
    });
    assert.equal(h.ladder.incident?.signal, 'operator');
    h.result(true, ['gc: freed 3 MiB']);
    assert.equal(h.ladder.phase, 'running');
    assert.equal(h.closed()[0]?.outcome, 'resolved');
  });

  test('recover medium in the middle of an automatic soft climbs within the same incident', () => {
    const h = harness();
    h.up();
    h.ladder.dispatch({ type: 'signal', kind: 'memory', detail: 'over' });
    h.ladder.operatorRecover('medium');
    assert.equal(h.ladder.phase, 'medium');
    assert.equal(h.ladder.incident?.signal, 'memory');
    assert.deepEqual(h.ladder.incident?.rungs, ['soft', 'medium']);
  });

  test('recover hard restarts at once without counting toward the intensity', () => {
    const h = harness();
    h.up();
    h.ladder.operatorRecover('hard');
    assert.equal(h.stops[0]?.kind, 'operator');
    assert.equal(h.stops[0]?.responsive, true);
    h.stopped();
    assert.equal(h.ladder.phase, 'starting');
  });

  test('recover hard while failed starts now', () => {
    const h = harness({ maxRestarts: 1 });
    h.up();
    h.ladder.dispatch({ type: 'exit', detail: 'x' });
    h.stopped();
    h.ladder.dispatch({ type: 'exit', detail: 'x' });
    h.stopped();
    assert.equal(h.ladder.phase, 'failed');
    assert.deepEqual(h.ladder.operatorRecover('hard'), { accepted: true, detail: 'starting the agent now' });
    assert.equal(h.ladder.phase, 'starting');
    assert.equal(h.ladder.failed, false);
  });

  test('soft is refused when the agent cannot run it, or while a hard recovery runs', () => {
    const h = harness();
    h.up();
    h.setResponsive(false);
    assert.equal(h.ladder.operatorRecover('soft').accepted, false);
    h.ladder.dispatch({ type: 'signal', kind: 'heartbeat-lost', detail: 'x' });
    assert.equal(h.ladder.phase, 'stopping');
    assert.deepEqual(h.ladder.operatorRecover('soft'), {
      accepted: false,
      detail: 'the agent is stopping, not running',
    });
  });

  test('pause aborts the running incident, holds every action, and resume picks up', () => {
    const h = harness();
    h.up();
    h.ladder.dispatch({ type: 'signal', kind: 'self-failing', detail: 'x' });
    h.ladder.pause();
    assert.equal(h.ladder.phase, 'running');
    assert.equal(h.closed()[0]?.outcome, 'aborted');
    h.clock.advance(10_000);
    assert.equal(h.commands.length, 1, 'no escalation while paused');
    h.ladder.dispatch({ type: 'exit', detail: 'stopped for maintenance' });
    assert.equal(h.ladder.phase, 'stopped');
    assert.equal(h.starts.length, 1, 'no restart while paused');
    assert.equal(h.ladder.operatorRecover('soft').accepted, false);
    h.ladder.resume();
    assert.equal(h.ladder.phase, 'starting');
    assert.equal(h.starts.length, 2);
  });

  test('pause for a while resumes by itself and acts on what is still wrong', () => {
    const h = harness();
    h.up();
    h.ladder.pause(60_000);
    h.ladder.dispatch({ type: 'signal', kind: 'cpu', detail: 'hot' });
    assert.equal(h.ladder.phase, 'running');
    h.clock.advance(60_000);
    assert.equal(h.ladder.paused, null);
    assert.equal(h.ladder.phase, 'soft', 'the still-active cpu signal is acted on at resume');
  });

  test('pause during a hard stop lets the stop finish and keeps the agent down', () => {
    const h = harness();
    h.up();
    h.ladder.dispatch({ type: 'exit', detail: 'x' });
    h.ladder.pause();
    h.stopped();
    assert.equal(h.ladder.phase, 'stopped');
    assert.equal(h.starts.length, 1);
  });

  test('shutdown aborts the open incident and cancels every timer', () => {
    const h = harness();
    h.up();
    h.ladder.dispatch({ type: 'signal', kind: 'cpu', detail: 'hot' });
    h.ladder.shutdown();
    assert.equal(h.closed()[0]?.outcome, 'aborted');
    assert.equal(h.clock.pending, 0);
  });
});

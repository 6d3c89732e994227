import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { currentRung } from '../../src/ladder/ladder-state.ts';
import { backoffDelay } from '../../src/ladder/restart-window.ts';
import { harness } from './ladder-harness.ts';

describe('recovery ladder: the climb', () => {
  test('begin starts the agent; hello makes it running with no incident', () => {
    const h = harness();
    h.dispatch({ type: 'begin', adopted: false });
    assert.equal(h.starts.length, 1);
    assert.equal(h.state.phase, 'starting');
    h.dispatch({ type: 'hello', pid: 100 });
    assert.equal(h.state.phase, 'running');
    assert.equal(h.state.incident, null);
    assert.deepEqual(h.records, []);
  });

  test('a signal cleared after soft resolves the incident without a restart', () => {
    const h = harness();
    h.up();
    h.dispatch({ type: 'signal', kind: 'self-failing', detail: 'health failing' });
    assert.equal(h.state.phase, 'soft');
    assert.equal(currentRung(h.state), 'soft');
    assert.equal(h.lastCommand().level, 'soft');
    h.result(true, ['cache cleared']);
    h.dispatch({ type: 'cleared', kind: 'self-failing' });
    assert.equal(h.state.phase, 'running');
    assert.deepEqual(h.kinds(), ['opened', 'rung:soft', 'result:soft', 'closed:soft']);
    assert.equal(h.closed()[0]?.outcome, 'resolved');
    assert.deepEqual(h.records.find((r) => r.kind === 'result')?.did, ['cache cleared']);
    assert.equal(h.starts.length, 1, 'no restart');
    assert.equal(h.stops.length, 0);
  });

  test('not cleared: soft → medium → hard → restart, each after its verify window', () => {
    const h = harness();
    h.up();
    h.dispatch({ type: 'signal', kind: 'memory', detail: 'RSS 160 MiB > 150 MiB' });
    h.result();
    h.advance(1999);
    assert.equal(h.state.phase, 'soft');
    h.advance(1);
    assert.equal(h.state.phase, 'medium');
    assert.equal(h.lastCommand().level, 'medium');
    h.result();
    h.advance(3000);
    assert.equal(h.state.phase, 'stopping');
    // The stop policy is the ladder's: an agent that answers gets its full grace, no evidence.
    assert.deepEqual(h.stops[0], {
      kind: 'memory',
      responsive: true,
      incidentId: 'inc-1',
      graceMs: 3000,
      evidence: false,
    });
    h.stopped();
    assert.equal(h.starts.length, 2, 'the first restart is immediate');
    h.dispatch({ type: 'started', pid: 101 });
    h.dispatch({ type: 'hello', pid: 101 });
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
    h.dispatch({ type: 'signal', kind: 'self-failing', detail: 'x' });
    h.result();
    h.advance(2000);
    h.result();
    h.dispatch({ type: 'cleared', kind: 'self-failing' });
    assert.equal(h.state.phase, 'running');
    assert.equal(h.closed()[0]?.outcome, 'resolved');
    assert.equal(h.closed()[0]?.rung, 'medium');
    assert.equal(h.stops.length, 0);
  });

  test('memory still rising right after the soft result climbs at once, not after the window', () => {
    const h = harness();
    h.up();
    h.dispatch({ type: 'signal', kind: 'memory', detail: 'over' });
    // Samples before the result do not count: the handler has not run yet.
    h.dispatch({ type: 'trend', kind: 'memory', rising: true });
    h.dispatch({ type: 'trend', kind: 'memory', rising: true });
    assert.equal(h.state.phase, 'soft');
    h.result();
    h.advance(250);
    h.dispatch({ type: 'trend', kind: 'memory', rising: true });
    h.advance(250);
    h.dispatch({ type: 'trend', kind: 'memory', rising: true });
    assert.equal(h.state.phase, 'medium');
    assert.equal(h.now, 500);
    h.result();
    h.dispatch({ type: 'trend', kind: 'memory', rising: true });
    h.dispatch({ type: 'trend', kind: 'memory', rising: false });
    h.dispatch({ type: 'trend', kind: 'memory', rising: true });
    assert.equal(h.state.phase, 'medium', 'a falling sample resets the count');
    h.dispatch({ type: 'trend', kind: 'memory', rising: true });
    assert.equal(h.state.phase, 'stopping');
    assert.match(
      h.records.find((r) => r.kind === 'escalated')?.detail ?? '',
      /still rising 2 samples after soft/,
    );
  });

  test('a failed result escalates at once', () => {
    const h = harness();
    h.up();
    h.dispatch({ type: 'signal', kind: 'cpu', detail: 'hot' });
    h.dispatch({
      type: 'result',
      id: h.lastCommand().id,
      ok: false,
      did: [],
      durationMs: 1,
      error: 'boom',
    });
    assert.equal(h.state.phase, 'medium');
  });

  test('cleared before its result: resolved when the result comes, with it in the timeline', () => {
    const h = harness();
    h.up();
    h.dispatch({ type: 'signal', kind: 'cpu', detail: 'hot' });
    h.dispatch({ type: 'cleared', kind: 'cpu' });
    assert.equal(h.state.phase, 'soft', 'the rung waits for its result: it is what cleared it');
    h.result(true, ['paused the spinning job']);
    assert.equal(h.state.phase, 'running');
    assert.deepEqual(h.kinds(), ['opened', 'rung:soft', 'result:soft', 'closed:soft']);
    assert.equal(h.closed()[0]?.outcome, 'resolved');
  });

  test('cleared and no result within the window: resolved all the same', () => {
    const h = harness();
    h.up();
    h.dispatch({ type: 'signal', kind: 'cpu', detail: 'hot' });
    h.dispatch({ type: 'cleared', kind: 'cpu' });
    h.advance(2000);
    assert.equal(h.state.phase, 'running');
    assert.equal(h.closed()[0]?.outcome, 'resolved');
  });

  test('no result within the verify window, the signal still there: escalates', () => {
    const h = harness();
    h.up();
    h.dispatch({ type: 'signal', kind: 'cpu', detail: 'hot' });
    h.advance(2000);
    assert.equal(h.state.phase, 'medium');
    assert.match(h.records.filter((r) => r.kind === 'escalated').at(-1)?.detail ?? '', /no result/);
  });
});

describe('recovery ladder: skipping rungs', () => {
  test('heartbeat lost skips soft and medium: straight to hard, as unresponsive', () => {
    const h = harness();
    h.up();
    h.setResponsive(false);
    h.dispatch({ type: 'signal', kind: 'heartbeat-lost', detail: 'no heartbeat for 1500 ms' });
    assert.equal(h.state.phase, 'stopping');
    assert.deepEqual(h.stops[0], {
      kind: 'heartbeat-lost',
      responsive: false,
      incidentId: 'inc-1',
      graceMs: 250,
      evidence: true,
    });
    assert.deepEqual(h.kinds(), ['opened', 'rung:hard']);
  });

  test('a stopped process goes straight to hard', () => {
    const h = harness();
    h.up();
    h.dispatch({ type: 'signal', kind: 'process-stopped', detail: 'state T' });
    assert.equal(h.stops[0]?.responsive, false);
  });

  test('a memory signal while the agent is unresponsive records skipped rungs', () => {
    const h = harness();
    h.up();
    h.setResponsive(false);
    h.dispatch({ type: 'signal', kind: 'memory', detail: 'over' });
    assert.deepEqual(h.kinds(), ['opened', 'skipped:soft', 'skipped:medium', 'rung:hard']);
    assert.equal(h.stops[0]?.responsive, false);
  });

  test('the memory ceiling skips the ladder even when the agent answers', () => {
    const h = harness();
    h.up();
    h.dispatch({ type: 'signal', kind: 'memory-ceiling', detail: 'RSS 190 MiB > ceiling 180 MiB' });
    assert.equal(h.state.phase, 'stopping');
    assert.equal(h.stops[0]?.responsive, true);
    assert.equal(h.stops[0]?.graceMs, 0, 'killed at once: every millisecond of grace is more memory');
    assert.equal(h.commands.length, 0);
  });

  test('heartbeat lost during soft jumps to hard', () => {
    const h = harness();
    h.up();
    h.dispatch({ type: 'signal', kind: 'self-failing', detail: 'x' });
    h.setResponsive(false);
    h.dispatch({ type: 'signal', kind: 'heartbeat-lost', detail: 'gone' });
    assert.equal(h.state.phase, 'stopping');
    assert.equal(h.state.incident?.signal, 'self-failing', 'the same incident continues');
  });

  test('a crash is hard by definition, and the restart is immediate', () => {
    const h = harness();
    h.up();
    h.dispatch({ type: 'exit', detail: 'exit code 1' });
    // A dead agent has no stack to take.
    assert.deepEqual(h.stops[0], {
      kind: 'exit',
      responsive: false,
      incidentId: 'inc-1',
      graceMs: 250,
      evidence: false,
    });
    h.stopped('already-exited');
    assert.equal(h.starts.length, 2);
    assert.equal(h.now, 0);
  });

  test('no hello within the startup grace kills and restarts', () => {
    const h = harness();
    h.dispatch({ type: 'begin', adopted: false });
    h.dispatch({ type: 'started', pid: 7 });
    h.advance(10_000);
    assert.equal(h.state.phase, 'stopping');
    assert.equal(h.stops[0]?.kind, 'no-hello');
  });

  test('an adopted agent gets the startup grace to say hello', () => {
    const h = harness();
    h.dispatch({ type: 'begin', adopted: true });
    assert.equal(h.starts.length, 0, 'adoption does not start a second agent');
    h.dispatch({ type: 'hello', pid: 5 });
    assert.equal(h.state.phase, 'running');
  });

  test('a start that fails outright backs off like a crash', () => {
    const h = harness();
    h.up();
    h.dispatch({ type: 'exit', detail: 'code 1' });
    h.stopped();
    h.dispatch({ type: 'start-failed', detail: 'ENOENT' });
    assert.equal(h.state.phase, 'backoff');
  });
});

describe('recovery ladder: crash-loop guard', () => {
  function crashLoop(h: ReturnType<typeof harness>) {
    h.dispatch({ type: 'exit', detail: 'code 1' });
    h.stopped('already-exited');
  }

  test('backoff doubles from the second restart, capped, with jitter only ever shortening it', () => {
    const h = harness({ jitterRandom: 1, maxRestarts: 100 });
    h.up();
    const delays: number[] = [];
    for (let i = 0; i < 9; i++) {
      crashLoop(h);
      if (h.state.phase === 'backoff') {
        delays.push((h.state.nextRetryAt ?? 0) - h.now);
        h.advance(delays.at(-1) ?? 0);
      }
      assert.equal(h.state.phase, 'starting');
      h.dispatch({ type: 'started', pid: 200 + i });
    }
    // jitter 0.25 at random()=1: each delay is 75% of nominal 500, 1000, 2000, ...
    assert.deepEqual(delays, [375, 750, 1500, 3000, 6000, 12_000, 22_500, 22_500]);
  });

  test('jitter bounds: every delay lies within [75%, 100%] of nominal', () => {
    for (const r of [0, 0.3, 0.999]) {
      const backoff = { initialMs: 500, maxMs: 30_000, jitter: 0.25 };
      for (let n = 1; n < 12; n++) {
        const nominal = Math.min(30_000, 500 * 2 ** (n - 1));
        const d = backoffDelay(n, backoff, () => r);
        assert.ok(d >= nominal * 0.75 && d <= nominal, `delay ${d} for n=${n}, r=${r}`);
      }
      assert.equal(
        backoffDelay(0, backoff, () => r),
        0,
      );
    }
  });

  test('a stable period resets the backoff: the next crash restarts at once again', () => {
    const h = harness();
    h.up();
    crashLoop(h);
    h.dispatch({ type: 'hello', pid: 101 });
    crashLoop(h);
    assert.equal(h.state.phase, 'backoff', 'second crash before stable backs off');
    h.advance(500);
    h.dispatch({ type: 'hello', pid: 102 });
    h.advance(30_000);
    crashLoop(h);
    assert.equal(h.state.phase, 'starting', 'after 30 s healthy the restart is immediate');
  });

  test('over the intensity: failed, one alert, slow probes, never a tight loop, never giving up', () => {
    const h = harness();
    h.up();
    for (let i = 0; i < 5; i++) {
      crashLoop(h);
      if (h.state.phase === 'backoff') h.runNext();
      assert.equal(h.state.phase, 'starting');
    }
    assert.equal(h.starts.length, 6, 'the first start and five restarts');
    crashLoop(h);
    assert.equal(h.state.phase, 'failed');
    assert.equal(h.state.failed, true);
    assert.equal(h.alerts.filter((a) => a.kind === 'failed').length, 1);
    const probeAt = h.state.nextRetryAt ?? 0;
    assert.equal(probeAt - h.now, 180_000);
    const alertsBefore = h.alerts.length;
    // Each probe that fails goes back to failed without another alert.
    for (let probe = 0; probe < 3; probe++) {
      h.advance(179_999);
      assert.equal(h.state.phase, 'failed');
      h.advance(1);
      assert.equal(h.state.phase, 'starting', `probe ${probe}`);
      crashLoop(h);
      assert.equal(h.state.phase, 'failed');
    }
    assert.equal(h.alerts.length, alertsBefore, 'probes do not alert again');
    assert.equal(h.starts.length, 9);
    // A probe that comes up ends the failure, with one "recovered" alert.
    h.advance(180_000);
    h.dispatch({ type: 'hello', pid: 999 });
    assert.equal(h.state.phase, 'running');
    assert.equal(h.state.failed, false);
    assert.deepEqual(
      h.alerts.filter((a) => a.kind !== 'rung').map((a) => a.kind),
      ['failed', 'recovered'],
    );
    assert.equal(h.closed().at(-1)?.outcome, 'restarted');
  });
});

describe('recovery ladder: operator commands', () => {
  test('recover soft with nothing wrong opens an operator incident closed by the result', () => {
    const h = harness();
    h.up();
    assert.deepEqual(h.operator('soft'), {
      incidentId: 'inc-1',
      accepted: true,
      detail: 'soft recovery sent to the agent',
    });
    assert.equal(h.state.incident?.signal, 'operator');
    h.result(true, ['gc: freed 3 MiB']);
    assert.equal(h.state.phase, 'running');
    assert.equal(h.closed()[0]?.outcome, 'resolved');
  });

  test('recover medium in the middle of an automatic soft climbs within the same incident', () => {
    const h = harness();
    h.up();
    h.dispatch({ type: 'signal', kind: 'memory', detail: 'over' });
    h.operator('medium');
    assert.equal(h.state.phase, 'medium');
    assert.equal(h.state.incident?.signal, 'memory');
    assert.deepEqual(h.state.incident?.rungs, ['soft', 'medium']);
  });

  test('recover hard restarts at once without counting toward the intensity', () => {
    const h = harness();
    h.up();
    h.operator('hard');
    assert.equal(h.stops[0]?.kind, 'operator');
    assert.equal(h.stops[0]?.responsive, true);
    h.stopped();
    assert.equal(h.state.phase, 'starting');
  });

  test('recover hard while failed starts now', () => {
    const h = harness({ maxRestarts: 1 });
    h.up();
    h.dispatch({ type: 'exit', detail: 'x' });
    h.stopped();
    h.dispatch({ type: 'exit', detail: 'x' });
    h.stopped();
    assert.equal(h.state.phase, 'failed');
    assert.deepEqual(h.operator('hard'), {
      incidentId: 'inc-1',
      accepted: true,
      detail: 'starting the agent now',
    });
    assert.equal(h.state.phase, 'starting');
    assert.equal(h.state.failed, false);
  });

  test('soft is refused when the agent cannot run it, or while stopping', () => {
    const h = harness();
    h.up();
    h.setResponsive(false);
    assert.equal(h.operator('soft').accepted, false);
    h.dispatch({ type: 'signal', kind: 'heartbeat-lost', detail: 'x' });
    assert.deepEqual(h.operator('hard'), {
      incidentId: 'inc-1',
      accepted: true,
      joined: true,
      detail: 'joined the hard recovery in progress (stopping the agent)',
    });
  });

  test('pause aborts the running incident, holds every action, and resume picks up', () => {
    const h = harness();
    h.up();
    h.dispatch({ type: 'signal', kind: 'self-failing', detail: 'x' });
    h.pause();
    assert.equal(h.state.phase, 'running');
    assert.equal(h.closed()[0]?.outcome, 'aborted');
    h.advance(10_000);
    assert.equal(h.commands.length, 1, 'no escalation while paused');
    h.dispatch({ type: 'exit', detail: 'stopped for maintenance' });
    assert.equal(h.state.phase, 'stopped');
    assert.equal(h.starts.length, 1, 'no restart while paused');
    assert.equal(h.operator('soft').accepted, false);
    h.resume();
    assert.equal(h.state.phase, 'starting');
    assert.equal(h.starts.length, 2);
  });

  test('pause for a while resumes by itself and acts on what is still wrong', () => {
    const h = harness();
    h.up();
    h.pause(60_000);
    h.dispatch({ type: 'signal', kind: 'cpu', detail: 'hot' });
    assert.equal(h.state.phase, 'running');
    h.advance(60_000);
    assert.equal(h.state.paused, null);
    assert.equal(h.state.phase, 'soft', 'the still-active cpu signal is acted on at resume');
    // The incident says how long the signal had lasted, not only what it said when raised.
    assert.equal(h.records.find((r) => r.kind === 'opened')?.detail, 'hot; still so 60 s later');
  });

  test('pause during a hard stop lets the stop finish and keeps the agent down', () => {
    const h = harness();
    h.up();
    h.dispatch({ type: 'exit', detail: 'x' });
    h.pause();
    h.stopped();
    assert.equal(h.state.phase, 'stopped');
    assert.equal(h.starts.length, 1);
  });

  test('shutdown aborts the open incident and cancels every timer', () => {
    const h = harness();
    h.up();
    h.dispatch({ type: 'signal', kind: 'cpu', detail: 'hot' });
    h.dispatch({ type: 'shutdown' });
    assert.equal(h.closed()[0]?.outcome, 'aborted');
    assert.equal(h.timers.size, 0);
  });
});

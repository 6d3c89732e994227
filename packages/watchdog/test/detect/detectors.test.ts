import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { HeartbeatMessage } from '@vigil/shared';
import { FakeClock } from '@vigil/shared/testing';
import { CpuDetector } from '../../src/detect/cpu-detector.ts';
import type { DetectorEvent } from '../../src/detect/detector-event.ts';
import { HeartbeatMonitor, type HeartbeatMonitorOptions } from '../../src/detect/heartbeat-monitor.ts';
import { judgeStarvation } from '../../src/detect/host-pressure.ts';
import { MemoryDetector } from '../../src/detect/memory-detector.ts';
import { SelfReportDetector } from '../../src/detect/self-report.ts';

const MiB = 1024 * 1024;
const calm = { cpuSome: 0, memorySome: 0, ioSome: 0 };

function recorder() {
  const events: DetectorEvent[] = [];
  return {
    events,
    emit: (e: DetectorEvent) => events.push(e),
    kinds: () => events.map((e) => `${e.type}:${e.kind}${e.type === 'trend' ? `:${e.rising}` : ''}`),
  };
}

describe('memory detector', () => {
  test('sustained for N samples, not on one spike', () => {
    const r = recorder();
    const d = new MemoryDetector({ maxRssBytes: 150 * MiB, forSamples: 3, emit: r.emit });
    d.sample(160 * MiB);
    d.sample(100 * MiB);
    d.sample(160 * MiB);
    d.sample(161 * MiB);
    assert.deepEqual(r.kinds(), []);
    d.sample(162 * MiB);
    assert.deepEqual(r.kinds(), ['signal:memory']);
    assert.match((r.events[0] as { detail: string }).detail, /RSS 162\.0 MiB above 150\.0 MiB for 3 samples/);
  });

  test('reports the trend while over, and clears below the limit', () => {
    const r = recorder();
    const d = new MemoryDetector({ maxRssBytes: 150 * MiB, forSamples: 1, emit: r.emit });
    d.sample(151 * MiB);
    d.sample(156 * MiB);
    d.sample(156 * MiB + 1000);
    d.sample(140 * MiB);
    assert.deepEqual(r.kinds(), [
      'signal:memory',
      'trend:memory:true',
      'trend:memory:false',
      'cleared:memory',
    ]);
  });

  test('one dip below the limit (a GC in the middle of a leak) does not clear it', () => {
    const r = recorder();
    const d = new MemoryDetector({ maxRssBytes: 150 * MiB, forSamples: 3, emit: r.emit });
    for (const v of [160, 161, 162]) d.sample(v * MiB);
    d.sample(140 * MiB);
    d.sample(165 * MiB);
    d.sample(140 * MiB);
    d.sample(140 * MiB);
    assert.deepEqual(r.kinds(), ['signal:memory', 'trend:memory:true']);
    d.sample(140 * MiB);
    assert.deepEqual(r.kinds(), ['signal:memory', 'trend:memory:true', 'cleared:memory']);
  });

  test('the ceiling fires on one sample, and only once until cleared', () => {
    const r = recorder();
    const d = new MemoryDetector({
      maxRssBytes: 150 * MiB,
      ceilingRssBytes: 180 * MiB,
      forSamples: 3,
      emit: r.emit,
    });
    d.sample(185 * MiB);
    d.sample(190 * MiB);
    assert.deepEqual(r.kinds(), ['signal:memory-ceiling']);
    d.sample(100 * MiB);
    d.sample(181 * MiB);
    assert.deepEqual(r.kinds(), ['signal:memory-ceiling', 'cleared:memory-ceiling', 'signal:memory-ceiling']);
  });

  test('off unless a limit is set', () => {
    const r = recorder();
    const d = new MemoryDetector({ forSamples: 3, emit: r.emit });
    assert.equal(d.enabled, false);
    for (let i = 0; i < 10; i++) d.sample(10_000 * MiB);
    assert.deepEqual(r.events, []);
  });
});

describe('cpu detector', () => {
  test('sustained for N samples, with hysteresis on clearing', () => {
    const r = recorder();
    const d = new CpuDetector({ maxPercent: 90, forSamples: 3, emit: r.emit });
    for (const v of [95, 95, 10, 95, 95, 95]) d.sample(v);
    assert.deepEqual(r.kinds(), ['signal:cpu']);
    d.sample(85);
    assert.deepEqual(r.kinds(), ['signal:cpu'], '85 is under the limit but within the 10% band');
    d.sample(50);
    assert.deepEqual(r.kinds(), ['signal:cpu', 'cleared:cpu'], 'forSamples 3 clears after one quiet sample');
  });

  test('clearing needs a quarter of forSamples quiet samples in a row', () => {
    const r = recorder();
    const d = new CpuDetector({ maxPercent: 90, forSamples: 20, emit: r.emit });
    for (let i = 0; i < 20; i++) d.sample(100);
    for (const v of [10, 10, 10, 10, 95, 10, 10, 10, 10]) d.sample(v);
    assert.deepEqual(r.kinds(), ['signal:cpu'], 'a busy sample resets the quiet count');
    d.sample(10);
    assert.deepEqual(r.kinds(), ['signal:cpu', 'cleared:cpu']);
  });

  test('a spinner starved to a third of a core is judged by what it wants, and the incident says so', () => {
    const r = recorder();
    const d = new CpuDetector({ maxPercent: 90, forSamples: 3, emit: r.emit });
    for (let i = 0; i < 3; i++) d.sample(33, { demandPercent: 99, waitedPercent: 66 });
    assert.deepEqual(r.kinds(), ['signal:cpu']);
    assert.match(
      (r.events[0] as { detail: string }).detail,
      /^CPU demand 99% of a core \(ran 33%, waited 66% for a CPU\) above 90% for 3 samples$/,
    );
    // A sample that cannot tell what the agent wants (its threads just got busy) is not "quiet".
    d.sample(33, { demandPercent: null, waitedPercent: null, demandPending: true });
    assert.deepEqual(r.kinds(), ['signal:cpu']);
    d.sample(2, { demandPercent: null, waitedPercent: null });
    assert.deepEqual(r.kinds(), ['signal:cpu', 'cleared:cpu'], 'an idle agent is quiet, demand read or not');
  });
});

describe('self-report detector', () => {
  const beat = (status: 'ok' | 'failing' | 'degraded', lagMs = 1): HeartbeatMessage => ({
    v: 1,
    type: 'heartbeat',
    seq: 1,
    mono: 1,
    lagMs,
    heapUsedBytes: 1,
    rssBytes: 1,
    progress: 1,
    health: {
      status,
      summary: status === 'failing' ? 'db unreachable' : undefined,
      failing: status === 'failing' ? ['db'] : undefined,
    },
  });

  test('failing for N beats, cleared by a good one', () => {
    const r = recorder();
    const d = new SelfReportDetector({ maxLagMs: 2000, failingForBeats: 2, emit: r.emit });
    d.heartbeat(beat('failing'));
    d.heartbeat(beat('ok'));
    d.heartbeat(beat('failing'));
    assert.deepEqual(r.kinds(), []);
    d.heartbeat(beat('failing'));
    assert.deepEqual(r.kinds(), ['signal:self-failing']);
    assert.match((r.events[0] as { detail: string }).detail, /db unreachable \(db\)/);
    d.heartbeat(beat('degraded'));
    assert.deepEqual(r.kinds(), ['signal:self-failing', 'cleared:self-failing']);
  });

  test('event-loop lag above the limit', () => {
    const r = recorder();
    const d = new SelfReportDetector({ maxLagMs: 2000, failingForBeats: 2, emit: r.emit });
    d.heartbeat(beat('ok', 2500));
    d.heartbeat(beat('ok', 2600));
    d.heartbeat(beat('ok', 5));
    assert.deepEqual(r.kinds(), ['signal:event-loop-lag', 'cleared:event-loop-lag']);
  });
});

describe('starvation judgement', () => {
  const sched = (cpuMs: number, waitMs: number) => ({ cpuNs: cpuMs * 1e6, waitNs: waitMs * 1e6 });

  test('a loop burning CPU without heartbeats is stuck, however loaded the host', () => {
    const v = judgeStarvation({
      before: sched(0, 0),
      after: sched(900, 600),
      elapsedMs: 1500,
      state: 'R',
      pressure: { cpuSome: 90, memorySome: 0, ioSome: 0 },
    });
    assert.equal(v.starving, false);
    assert.match(v.reason, /burning 60% CPU/);
  });

  test('an agent queued for a CPU is starving', () => {
    const v = judgeStarvation({
      before: sched(0, 0),
      after: sched(10, 900),
      elapsedMs: 1500,
      state: 'R',
      pressure: calm,
    });
    assert.equal(v.starving, true);
  });

  test('disk wait and host memory pressure count as starving', () => {
    assert.equal(
      judgeStarvation({
        before: sched(0, 0),
        after: sched(1, 1),
        elapsedMs: 1500,
        state: 'D',
        pressure: calm,
      }).starving,
      true,
    );
    assert.equal(
      judgeStarvation({
        before: sched(0, 0),
        after: sched(1, 1),
        elapsedMs: 1500,
        state: 'S',
        pressure: { ...calm, memorySome: 35 },
      }).starving,
      true,
    );
  });

  test('an idle agent that just stopped talking, on a calm host, is not starving', () => {
    assert.equal(
      judgeStarvation({
        before: sched(0, 0),
        after: sched(1, 0),
        elapsedMs: 1500,
        state: 'S',
        pressure: calm,
      }).starving,
      false,
    );
  });
});

describe('heartbeat monitor', () => {
  function monitor(
    options: {
      state?: string;
      sched?: () => { cpuNs: number; waitNs: number };
      pressure?: typeof calm;
      defer?: (fn: () => void) => void;
    } = {},
  ) {
    const clock = new FakeClock();
    const r = recorder();
    const gaps: number[] = [];
    const m = new HeartbeatMonitor({
      defer: options.defer ?? ((fn) => fn()),
      onOwnGap: (ms) => gaps.push(ms),
      clock,
      timeoutMs: 1500,
      pressureEnabled: true,
      maxStretch: 4,
      emit: r.emit,
      checkEveryMs: 100,
      readState: () => options.state ?? 'S',
      readSched: () => (options.sched ? options.sched() : { cpuNs: 0, waitNs: 0 }),
      readPressure: () => options.pressure ?? calm,
    });
    return { clock, r, m, gaps };
  }

  /** A monitor that reads through `flow` (the deadline-driven socket), without host pressure. */
  function flowing(
    clock: FakeClock,
    r: ReturnType<typeof recorder>,
    options: Partial<HeartbeatMonitorOptions>,
  ) {
    return new HeartbeatMonitor({
      clock,
      timeoutMs: 1500,
      pressureEnabled: false,
      maxStretch: 4,
      emit: r.emit,
      checkEveryMs: 100,
      defer: (fn) => fn(),
      readState: () => 'S',
      ...options,
    });
  }

  test('lost after the timeout without a beat; cleared by the next beat', () => {
    const { clock, r, m } = monitor();
    m.arm(42);
    clock.advance(1000);
    m.beat();
    clock.advance(1499);
    assert.deepEqual(r.kinds(), []);
    clock.advance(101);
    assert.deepEqual(r.kinds(), ['signal:heartbeat-lost']);
    assert.equal(m.lost, true);
    m.beat();
    assert.deepEqual(r.kinds(), ['signal:heartbeat-lost', 'cleared:heartbeat-lost']);
    assert.ok(m.worstGapMs >= 1500);
  });

  test('a stopped process is reported at half the timeout', () => {
    const { clock, r, m } = monitor({ state: 'T' });
    m.arm(42);
    clock.advance(800);
    assert.deepEqual(r.kinds(), ['signal:process-stopped']);
  });

  test('a starving agent gets a stretched deadline, up to maxStretch', () => {
    // Runnable half the time and waiting for a CPU: the picture of a starved process.
    let now = () => 0;
    const { clock, r, m } = monitor({ state: 'R', sched: () => ({ cpuNs: 0, waitNs: now() * 0.5e6 }) });
    now = () => clock.now();
    m.arm(42);
    clock.advance(3000);
    assert.deepEqual(r.kinds(), [], 'starving: not lost at 2x the timeout');
    clock.advance(3100);
    assert.deepEqual(r.kinds(), ['signal:heartbeat-lost'], 'lost at 4x the timeout regardless');
    assert.match((r.events[0] as { detail: string }).detail, /stretched/);
  });

  test("the watchdog's own pause (3 s, 10 s) never blames the agent: a fresh deadline from the wake", () => {
    for (const pauseMs of [3000, 10_000]) {
      const { clock, r, m, gaps } = monitor();
      m.arm(42);
      clock.advance(500);
      m.beat();
      clock.jump(pauseMs);
      assert.deepEqual(r.kinds(), [], `no signal on waking from a ${pauseMs} ms pause`);
      assert.equal(gaps.length, 1);
      assert.ok((gaps[0] ?? 0) >= pauseMs - 1000, String(gaps[0]));
      m.beat();
      clock.advance(1400);
      assert.deepEqual(r.kinds(), []);
      // A genuinely silent agent is still caught, one timeout after the watchdog woke.
      clock.advance(2000);
      assert.deepEqual(r.kinds(), ['signal:heartbeat-lost']);
    }
  });

  test('a late look is judged after the beats that queued meanwhile are read', () => {
    const deferred: (() => void)[] = [];
    const { clock, r, m, gaps } = monitor({ defer: (fn) => deferred.push(fn) });
    const drain = () => {
      for (let fn = deferred.shift(); fn; fn = deferred.shift()) fn();
    };
    m.arm(42);
    for (let t = 0; t < 1400; t += 50) {
      clock.advance(50);
      drain();
    }
    // Late by less than the own-gap threshold: no fresh deadline, but the beat read in the same
    // turn of the loop (before the deferred look) counts.
    clock.jump(500);
    assert.equal(gaps.length, 0);
    m.beat();
    drain();
    assert.deepEqual(r.kinds(), []);
  });

  test('deadline-driven reading: the socket rests between looks, a beat read late keeps its own age', () => {
    const calls: string[] = [];
    const clock = new FakeClock();
    const r = recorder();
    // As the loop runs it: the look is judged after the I/O that the flow let in.
    const deferred: (() => void)[] = [];
    const drain = () => {
      for (let fn = deferred.shift(); fn; fn = deferred.shift()) fn();
    };
    const m = flowing(clock, r, {
      defer: (fn) => deferred.push(fn),
      flow: () => {
        calls.push('flow');
        return false;
      },
      hold: () => calls.push('hold'),
      mayHold: () => true,
    });
    m.arm(42);
    clock.advance(700);
    // Read at 750 ms with the look: a beat the agent stamped at 700 ms.
    clock.advance(50);
    m.beat(700);
    drain();
    assert.ok(Math.abs(m.age() - 50) < 1, `age ${m.age()} is the beat's own, not the read's`);
    assert.deepEqual(calls, ['flow', 'hold'], 'read at the look, then rest');
    // A stamp from the future or from another clock is not believed: arrival time is.
    m.beat(clock.now() + 10_000);
    assert.equal(m.age(), 0);
    // An agent that stops beating: the look finds nothing, the socket keeps flowing, lost at the timeout.
    calls.length = 0;
    for (let t = 0; t < 1500; t += 50) {
      clock.advance(50);
      drain();
    }
    assert.deepEqual(r.kinds(), ['signal:heartbeat-lost']);
    assert.ok(!calls.includes('hold') || calls.lastIndexOf('flow') > calls.lastIndexOf('hold'), calls.join());
  });

  test('a flow that read all that queued is judged at once, with no turn of the loop; one that did not waits for it', () => {
    const clock = new FakeClock();
    const r = recorder();
    const deferred: (() => void)[] = [];
    let readAll = true;
    let m: HeartbeatMonitor | undefined;
    const holds: number[] = [];
    m = flowing(clock, r, {
      defer: (fn) => deferred.push(fn),
      // The read hands over the beat the agent stamped 20 ms ago, as the real drain does.
      flow: () => {
        m?.beat(clock.now() - 20);
        return readAll;
      },
      hold: () => holds.push(clock.now()),
      mayHold: () => true,
    });
    m.arm(42);
    clock.advance(750);
    assert.equal(deferred.length, 0, 'nothing left for the next turn');
    assert.deepEqual(holds, [750], 'judged fresh and rested within the look itself');
    // Not all read (the loop reads the rest): the verdict waits for that turn, and only then rests.
    readAll = false;
    clock.advance(900);
    assert.equal(deferred.length, 1);
    assert.deepEqual(holds, [750]);
    deferred.shift()?.();
    assert.deepEqual(holds, [750, 1650]);
    // An agent that stops beating is still lost at its timeout, judged on the synchronous path.
    readAll = true;
    m = flowing(clock, r, {
      defer: () => assert.fail('a complete read needs no deferred verdict'),
      flow: () => true,
    });
    m.arm(43);
    for (let t = 0; t < 1500; t += 50) clock.advance(50);
    assert.deepEqual(r.kinds(), ['signal:heartbeat-lost']);
  });

  describe("looks on the resource sampler's wakeup", () => {
    /** A sampler as the real one runs: a chained timer that offers the monitor each tick. */
    function withSampler(everyMs: number) {
      const t = monitor();
      const own = { looks: 0, ridden: 0 };
      let flows = 0;
      const m = flowing(t.clock, t.r, {
        intervalMs: 250,
        onOwnGap: (ms) => t.gaps.push(ms),
        flow: () => {
          flows++;
          return false;
        },
      });
      const tick = () => {
        t.clock.setTimeout(tick, everyMs);
        const before = flows;
        m.lookIfDueWithin(everyMs);
        own.ridden += flows - before;
      };
      return { ...t, m, own, flows: () => flows, startSampler: () => t.clock.setTimeout(tick, everyMs) };
    }

    test('every look rides a sampler tick: none on a timer of its own, none later than due', () => {
      const { clock, r, m, own, flows, startSampler } = withSampler(250);
      m.arm(42);
      // The sampler ticks 10 ms after each beat, as it falls on a real host.
      clock.advance(10);
      startSampler();
      for (let t = 0; t < 5000; t += 250) {
        clock.advance(240);
        m.beat();
        clock.advance(10);
      }
      assert.deepEqual(r.kinds(), []);
      assert.ok(flows() >= 5, `looked ${flows()} times in 5 s`);
      assert.equal(own.ridden, flows(), 'every look was taken on a sampler tick');
      // The agent goes quiet: still lost by the timeout (plus one close look), not later.
      const lastBeat = clock.now() - 10;
      while (r.kinds().length === 0 && clock.now() < lastBeat + 5000) clock.advance(10);
      assert.deepEqual(r.kinds(), ['signal:heartbeat-lost']);
      assert.ok(
        clock.now() - lastBeat <= 1500 + 100,
        `lost ${clock.now() - lastBeat} ms after the last beat`,
      );
    });

    test("a look taken on the sampler's tick after the watchdog's own pause does not blame the agent", () => {
      const { clock, r, m, gaps, startSampler } = withSampler(250);
      m.arm(42);
      startSampler();
      clock.advance(200);
      m.beat();
      // Both timers fell due while the watchdog stood still; the sampler's fires first.
      clock.jump(5000);
      assert.equal(gaps.length, 1, "the pause is the watchdog's own");
      assert.deepEqual(r.kinds(), []);
    });

    test('a look due later than the next tick waits for its own timer', () => {
      const { clock, m, own, flows } = withSampler(250);
      m.arm(42);
      clock.advance(100);
      // Due at 750 ms: 650 ms away, more than one sampler interval.
      m.lookIfDueWithin(250);
      assert.equal(flows(), 0);
      clock.advance(700);
      assert.equal(flows(), 1, 'its own timer looked');
      assert.equal(own.ridden, 0);
    });
  });

  test('deadlines use monotonic time: a wall-clock step changes nothing', () => {
    const { clock, r, m } = monitor();
    m.arm(42);
    clock.advance(1000);
    m.beat();
    clock.stepWall(-3_600_000);
    clock.advance(1000);
    m.beat();
    clock.stepWall(7_200_000);
    clock.advance(1000);
    assert.deepEqual(r.kinds(), []);
    clock.advance(600);
    assert.deepEqual(r.kinds(), ['signal:heartbeat-lost']);
  });

  test('disarmed: silent', () => {
    const { clock, r, m } = monitor();
    m.arm(1);
    m.disarm();
    clock.advance(10_000);
    assert.deepEqual(r.events, []);
  });
});

describe('resource measurement', () => {
  test('a pid that is gone is skipped, not fatal', async () => {
    const { measure } = await import('../../src/detect/resource-sampler.ts');
    const sample = await measure([process.pid, 999_999_999]);
    assert.ok(sample && sample.rssBytes > 0 && sample.pids === 1, JSON.stringify(sample));
    assert.equal(await measure([999_999_998]), null);
  });
});

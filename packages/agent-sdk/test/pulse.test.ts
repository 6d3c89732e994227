// The agent's pulse: one timer for every periodic duty of the SDK, riders called on the ticks
// their own period falls on, each tick's lateness recorded before a rider reads it, and a
// process kept alive only by a rider that asks to be.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ChildProcesses, waitFor } from '@vigil/shared/testing';
import {
  closeLagWindow,
  openLagWindow,
  pulsePeriodMs,
  pulseTimersRunning,
  type Ride,
  ride,
} from '../src/pulse.ts';

const PULSE = fileURLToPath(new URL('../dist/pulse.js', import.meta.url));

function blockLoop(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // Busy on purpose: the lateness the pulse must see.
  }
}

describe('pulse', () => {
  const rides: Ride[] = [];
  afterEach(() => {
    for (const r of rides.splice(0)) r.stop();
    assert.equal(pulseTimersRunning(), 0, 'the last ride stops the timer');
  });
  const children = new ChildProcesses();
  const scripts = mkdtempSync(join(tmpdir(), 'vigil-pulse-'));
  after(async () => {
    await children.killAll();
    rmSync(scripts, { recursive: true, force: true });
  });

  /** A child process running `body` after importing the built pulse as `ride`. */
  function child(name: string, body: string) {
    const file = join(scripts, `${name}.mjs`);
    writeFileSync(file, `import { ride } from ${JSON.stringify(PULSE)};\n${body}\n`);
    return children.spawn(file, {});
  }

  test('riders share one timer at the shortest period; a longer rider is called on fewer ticks', async () => {
    let fast = 0;
    let slow = 0;
    rides.push(ride(40, () => fast++));
    rides.push(ride(160, () => slow++));
    assert.equal(pulseTimersRunning(), 1);
    assert.equal(pulsePeriodMs(), 40);
    await waitFor(() => fast >= 16 || undefined, 20_000, 'sixteen fast ticks');
    // Every fourth tick on time; on a loaded host late ticks close the gap, never past every other.
    assert.ok(slow >= 1, 'the slow rider was called');
    assert.ok(slow <= fast / 2, `slow rider called ${slow} times in ${fast} ticks`);
  });

  test('a shorter period re-times the pulse, and the pulse goes back when it stops', () => {
    rides.push(ride(200, () => {}));
    assert.equal(pulsePeriodMs(), 200);
    const quick = ride(50, () => {});
    assert.equal(pulsePeriodMs(), 50);
    quick.stop();
    assert.equal(pulsePeriodMs(), 200);
    rides[0]?.setPeriod(120);
    assert.equal(pulsePeriodMs(), 120);
  });

  /** Gaps between a rider's calls until it has made `calls` of them. */
  async function gapsOf(periodMs: number, calls: number): Promise<number[]> {
    const at: number[] = [];
    rides.push(ride(periodMs, () => at.push(performance.now())));
    await waitFor(() => at.length >= calls || undefined, 30_000, `${calls} calls every ${periodMs} ms`);
    return at.slice(1).map((t, i) => t - (at[i] as number));
  }

  /** The median gap of a `periodMs` rider beside a 100 ms one (the pulse), and the gaps to show. */
  async function paceBeside100(periodMs: number): Promise<{ median: number; shown: string }> {
    rides.push(ride(100, () => {}));
    const gaps = await gapsOf(periodMs, 6);
    const median = [...gaps].sort((a, b) => a - b)[Math.floor(gaps.length / 2)] as number;
    return {
      median,
      shown: `median gap ${median.toFixed(1)} ms (${gaps.map((g) => g.toFixed(0)).join(', ')})`,
    };
  }

  test('riders joining and leaving all the time hold back no one: the beat and the bump go on', async () => {
    let beats = 0;
    let bumps = 0;
    rides.push(ride(100, () => beats++, { ref: true }));
    rides.push(ride(100, () => bumps++));
    // A service that rides the pulse for a moment, over and over, at the pulse's own period.
    const churn = setInterval(() => {
      const brief = ride(100, () => {});
      setTimeout(() => brief.stop(), 20);
    }, 70);
    try {
      await waitFor(() => (beats >= 8 && bumps >= 8) || undefined, 20_000, 'eight beats and bumps');
    } finally {
      clearInterval(churn);
    }
  });

  test('a period that is not a whole number of ticks keeps its own pace, not the nearest tick’s', async () => {
    // 250 on a 100 ms pulse: the nearest ticks would make it 200 or 300; its own timer keeps 250.
    const { median, shown } = await paceBeside100(250);
    // Late timers on a loaded host only lengthen it; the nearest-tick rule made it 200.
    assert.ok(median >= 235 && median < 300, shown);
  });

  test('a whole number of ticks: called every that many, never a tick late', async () => {
    const { median, shown } = await paceBeside100(300);
    // Counted ticks: three apart; a nearest-tick rule with half a tick of slack made it 300 or 400.
    assert.ok(median >= 290 && median < 380, shown);
  });

  test('the tick a re-timing cancels still counts: a block that just ended is in the window', async () => {
    const window = openLagWindow();
    try {
      const r = ride(100, () => {});
      rides.push(r);
      await new Promise((resolve) => setTimeout(resolve, 150));
      window.reset();
      blockLoop(400);
      // Re-timed before the overdue tick could fire.
      r.setPeriod(40);
      assert.ok(window.count > 0 && window.max / 1e6 >= 200, `the window held ${window.max / 1e6} ms`);
    } finally {
      closeLagWindow(window);
    }
  });

  test('a blocked loop shows as the next tick’s lateness, in the window a rider reads on that tick', async () => {
    const window = openLagWindow();
    try {
      let seenInWindow = 0;
      let lateness = 0;
      let ticks = 0;
      rides.push(
        ride(50, (lateMs) => {
          ticks++;
          lateness = Math.max(lateness, lateMs);
          if (window.count > 0) seenInWindow = Math.max(seenInWindow, window.max / 1e6);
        }),
      );
      await waitFor(() => ticks >= 1 || undefined, 10_000, 'a first tick');
      blockLoop(300);
      const after = ticks;
      await waitFor(() => ticks > after || undefined, 10_000, 'the tick after the block');
      // 300 ms blocked on a 50 ms pulse: the next tick is at least 250 ms late.
      assert.ok(lateness >= 250, `lateness ${lateness} ms`);
      assert.ok(seenInWindow >= 250, `the window held ${seenInWindow} ms on that tick`);
    } finally {
      closeLagWindow(window);
    }
  });

  test('a rider that throws does not keep the others from their tick, and its error still surfaces', async () => {
    // In a child: the error is uncaught on purpose, as it would be from a timer of the rider's own.
    const run = child(
      'throws',
      `let errors = 0;
      let after = 0;
      process.on('uncaughtException', (error) => { if (/rider broke/.test(error.message)) errors++; });
      ride(30, () => { throw new Error('rider broke'); });
      const other = ride(30, () => {
        if (++after < 3) return;
        other.stop();
        process.stdout.write(JSON.stringify({ errors, after }) + '\\n');
        process.exit(0);
      }, { ref: true });`,
    );
    const { code } = await run.exited;
    assert.equal(code, 0);
    const seen = JSON.parse(run.stdout()) as { errors: number; after: number };
    assert.equal(seen.after, 3, 'the other rider ran on every tick');
    assert.ok(seen.errors >= 2, `${seen.errors} errors surfaced`);
  });

  test('a period that is not a number of ms above 0 is refused', () => {
    for (const bad of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => ride(bad, () => {}), /period must be a number of ms above 0/);
    }
    const ok = ride(100, () => {});
    rides.push(ok);
    assert.throws(() => ok.setPeriod(Number.NaN), /period must be/);
    assert.equal(pulsePeriodMs(), 100);
  });

  test('an open lag window alone keeps the pulse ticking, unref’d', () => {
    const window = openLagWindow();
    assert.equal(pulseTimersRunning(), 1);
    assert.ok(pulsePeriodMs() > 0);
    closeLagWindow(window);
    assert.equal(pulseTimersRunning(), 0);
  });

  for (const ref of [false, true]) {
    test(`a process with only ${ref ? 'a ref’d' : 'an unref’d'} rider ${ref ? 'stays alive' : 'exits'}`, async () => {
      const run = child(
        `ref-${ref}`,
        `let n = 0;
        ride(20, () => { if (++n === 5) process.stdout.write('ticked\\n'); }, { ref: ${ref} });`,
      );
      if (!ref) {
        const { code } = await run.exited;
        assert.equal(code, 0);
        assert.equal(run.stdout(), '', 'nothing ticked: the rider did not hold the process');
        return;
      }
      await waitFor(() => run.stdout().includes('ticked') || undefined, 20_000, 'five ticks in the child');
      assert.equal(run.child.exitCode, null, 'still running');
    });
  }
});

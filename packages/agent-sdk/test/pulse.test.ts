// The agent's pulse: one timer for every periodic duty of the SDK, riders called on the ticks
// their own period falls on, each tick's lateness recorded before a rider reads it, and a
// process kept alive only by a rider that asks to be.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { waitFor } from '@vigil/shared/testing';
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
    const script = `import { ride } from ${JSON.stringify(PULSE)};
      let errors = 0;
      let after = 0;
      process.on('uncaughtException', (error) => { if (/rider broke/.test(error.message)) errors++; });
      ride(30, () => { throw new Error('rider broke'); });
      const other = ride(30, () => {
        if (++after < 3) return;
        other.stop();
        process.stdout.write(JSON.stringify({ errors, after }) + '\\n');
        process.exit(0);
      }, { ref: true });`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    const [code] = await once(child, 'exit');
    assert.equal(code, 0);
    const seen = JSON.parse(out) as { errors: number; after: number };
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
      const script = `import { ride } from ${JSON.stringify(PULSE)};
        let n = 0;
        ride(20, () => { if (++n === 5) process.stdout.write('ticked\\n'); }, { ref: ${ref} });`;
      const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.on('data', (chunk) => {
        out += chunk;
      });
      if (!ref) {
        const [code] = await once(child, 'exit');
        assert.equal(code, 0);
        assert.equal(out, '', 'nothing ticked: the rider did not hold the process');
        return;
      }
      try {
        await waitFor(() => out.includes('ticked') || undefined, 20_000, 'five ticks in the child');
        assert.equal(child.exitCode, null, 'still running');
      } finally {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGKILL');
          await once(child, 'exit');
        }
      }
    });
  }
});

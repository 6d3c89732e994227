import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Clock, createSystemClock } from '@vigil/shared';
import { FakeClock } from '@vigil/shared/testing';
import { MaintenanceWindow } from '../../src/actions/maintenance-window.ts';

/** The system clock, counting how often a timer is armed. */
function countingClock(): { clock: Clock; armed: () => number } {
  const real = createSystemClock();
  let armed = 0;
  return {
    armed: () => armed,
    clock: {
      now: real.now,
      wallNow: real.wallNow,
      clearTimeout: real.clearTimeout,
      setInterval(fn, ms) {
        armed++;
        return real.setInterval(fn, ms);
      },
      setTimeout(fn, ms) {
        armed++;
        return real.setTimeout(fn, ms);
      },
    },
  };
}

describe('maintenance window', () => {
  test('an indefinite window (the watchdog says "until resumed") costs one timer, not a busy loop', async () => {
    const { clock, armed } = countingClock();
    let ended = 0;
    const window = new MaintenanceWindow(clock, () => ended++);
    window.set(8_640_000_000_000);
    // A window longer than 24.8 days used to be clamped to a 1 ms timer that re-armed itself.
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(armed(), 1);
    assert.equal(ended, 0);
    assert.equal(window.active, true);
    window.close();
  });

  test('ends at its deadline, and ending it early calls onEnd once', () => {
    const clock = new FakeClock();
    let ended = 0;
    const window = new MaintenanceWindow(clock, () => ended++);
    window.set(clock.wallNow() + 1000);
    clock.advance(999);
    assert.equal(window.active, true);
    clock.advance(1);
    assert.equal(window.active, false);
    assert.equal(ended, 1);
    window.set(clock.wallNow() + 5000);
    window.set(0);
    assert.equal(ended, 2);
  });
});

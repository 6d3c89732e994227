import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FakeClock } from '@vigil/shared/testing';

describe('FakeClock', () => {
  test('fires timers in due order as time advances, and not before', () => {
    const clock = new FakeClock();
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('b'), 200);
    clock.setTimeout(() => fired.push('a'), 100);
    const c = clock.setTimeout(() => fired.push('c'), 150);
    clock.clearTimeout(c);
    clock.advance(99);
    assert.deepEqual(fired, []);
    clock.advance(1);
    assert.deepEqual(fired, ['a']);
    clock.advance(500);
    assert.deepEqual(fired, ['a', 'b']);
    assert.equal(clock.now(), 600);
  });

  test('a timer set by a timer fires in the same advance when due', () => {
    const clock = new FakeClock();
    const at: number[] = [];
    clock.setTimeout(() => {
      at.push(clock.now());
      clock.setTimeout(() => at.push(clock.now()), 50);
    }, 100);
    clock.advance(1000);
    assert.deepEqual(at, [100, 150]);
  });

  test('an interval fires every period until cleared, also when it clears itself', () => {
    const clock = new FakeClock();
    const at: number[] = [];
    const every = clock.setInterval(() => at.push(clock.now()), 100);
    clock.advance(350);
    assert.deepEqual(at, [100, 200, 300]);
    clock.clearTimeout(every);
    clock.advance(1000);
    assert.deepEqual(at, [100, 200, 300]);
    assert.equal(clock.pending, 0);
    const self: number[] = [];
    const handle = clock.setInterval(() => {
      self.push(clock.now());
      if (self.length === 2) clock.clearTimeout(handle);
    }, 50);
    clock.advance(500);
    assert.deepEqual(self, [1400, 1450]);
    assert.equal(clock.pending, 0);
  });

  test('an interval missed in a jump fires once, then keeps its period from there', () => {
    const clock = new FakeClock();
    const at: number[] = [];
    clock.setInterval(() => at.push(clock.now()), 100);
    clock.jump(1050);
    assert.deepEqual(at, [1050]);
    clock.advance(250);
    assert.deepEqual(at, [1050, 1150, 1250]);
  });

  test('an interval longer than a timer takes is refused, not run every millisecond', () => {
    const clock = new FakeClock();
    assert.throws(() => clock.setInterval(() => {}, 2 ** 31), RangeError);
    assert.throws(() => clock.setInterval(() => {}, Number.NaN), RangeError);
  });

  test('wall time moves with monotonic time', () => {
    const clock = new FakeClock(0, 1_000_000);
    clock.advance(250);
    assert.equal(clock.wallNow(), 1_000_250);
    assert.equal(clock.runNext(), false);
  });
});

describe('system clock', () => {
  test('a delay beyond 2^31-1 ms waits instead of firing at once, without an overflow warning', async () => {
    const { createSystemClock, MAX_TIMER_MS } = await import('@vigil/shared');
    const clock = createSystemClock();
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.name);
    process.on('warning', onWarning);
    let fired = 0;
    const far = clock.setTimeout(() => fired++, MAX_TIMER_MS + 1000);
    const farther = clock.setTimeout(() => fired++, 8_640_000_000_000);
    // A clamped timer would fire after 1 ms; give the loop well over that.
    await new Promise<void>((resolve) => clock.setTimeout(resolve, 60));
    process.off('warning', onWarning);
    clock.clearTimeout(far);
    clock.clearTimeout(farther);
    assert.equal(fired, 0);
    assert.deepEqual(warnings, []);
  });

  test('an interval fires again and again on one timer, and stops when cleared', async () => {
    const { createSystemClock, MAX_TIMER_MS } = await import('@vigil/shared');
    const clock = createSystemClock();
    let fired = 0;
    await new Promise<void>((resolve) => {
      const handle = clock.setInterval(() => {
        if (++fired === 3) {
          clock.clearTimeout(handle);
          resolve();
        }
      }, 5);
    });
    await new Promise<void>((resolve) => clock.setTimeout(resolve, 40));
    assert.equal(fired, 3, 'nothing after clearTimeout');
    assert.throws(() => clock.setInterval(() => {}, MAX_TIMER_MS + 1), RangeError);
  });

  test('a short delay still fires', async () => {
    const { createSystemClock } = await import('@vigil/shared');
    const clock = createSystemClock();
    await new Promise<void>((resolve) => clock.setTimeout(resolve, 5));
  });
});

describe('FakeClock jumps', () => {
  test('jump fires due timers late, at the new time, as a stopped process sees them', () => {
    const clock = new FakeClock();
    const seen: number[] = [];
    clock.setTimeout(() => seen.push(clock.now()), 100);
    clock.setTimeout(() => seen.push(clock.now()), 200);
    clock.jump(3000);
    assert.deepEqual(seen, [3000, 3000]);
  });

  test('stepWall moves wall time only', () => {
    const clock = new FakeClock(0, 1_000_000);
    clock.stepWall(-3_600_000);
    assert.equal(clock.now(), 0);
    assert.equal(clock.wallNow(), 1_000_000 - 3_600_000);
  });
});

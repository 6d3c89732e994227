import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FakeClock } from '@vigil/shared';

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

  test('wall time moves with monotonic time', () => {
    const clock = new FakeClock(0, 1_000_000);
    clock.advance(250);
    assert.equal(clock.wallNow(), 1_000_250);
    assert.equal(clock.runNext(), false);
  });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { firstRunDelay, nextRunDelay } from '../../src/checks/schedule-jitter.ts';

const unit = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

test('the first run comes within [0, min(interval, 5 s))', () => {
  assert.equal(
    firstRunDelay(30_000, () => 0),
    0,
  );
  assert.equal(
    firstRunDelay(30_000, () => 0.999999),
    4999,
  );
  assert.equal(
    firstRunDelay(1000, () => 0.999999),
    999,
  );
  fc.assert(
    fc.property(fc.integer({ min: 100, max: 86_400_000 }), unit, (interval, r) => {
      const delay = firstRunDelay(interval, () => r);
      assert.ok(delay >= 0 && delay < Math.min(interval, 5000), `${delay} for ${interval}`);
    }),
  );
});

test('later runs come every interval × factor, ± 10%', () => {
  assert.equal(
    nextRunDelay(1000, 1, () => 0),
    900,
  );
  assert.equal(
    nextRunDelay(1000, 1, () => 0.5),
    1000,
  );
  assert.equal(
    nextRunDelay(1000, 2, () => 0.5),
    2000,
  );
  fc.assert(
    fc.property(
      fc.integer({ min: 100, max: 86_400_000 }),
      fc.constantFrom(1, 2, 4),
      unit,
      (interval, factor, r) => {
        const delay = nextRunDelay(interval, factor, () => r);
        const base = interval * factor;
        assert.ok(delay >= Math.floor(base * 0.9) && delay <= Math.ceil(base * 1.1), `${delay} for ${base}`);
      },
    ),
  );
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { CheckStatus } from '../../src/checks/check-result.ts';
import { type Hysteresis, INITIAL_HYSTERESIS, nextHysteresis } from '../../src/checks/hysteresis.ts';

function walk(observed: CheckStatus[], failAfter: number, recoverAfter: number): CheckStatus[] {
  let state: Hysteresis = INITIAL_HYSTERESIS;
  return observed.map((status) => {
    state = nextHysteresis(state, status, { failAfter, recoverAfter });
    return state.status;
  });
}

test('turns bad after failAfter non-ok results in a row, and ok after recoverAfter ok results', () => {
  assert.deepEqual(walk(['critical', 'ok', 'critical', 'critical', 'critical'], 3, 2), [
    'ok',
    'ok',
    'ok',
    'ok',
    'critical',
  ]);
  assert.deepEqual(walk(['warn', 'warn', 'ok', 'warn', 'ok', 'ok'], 2, 2), [
    'ok',
    'warn',
    'warn',
    'warn',
    'warn',
    'ok',
  ]);
});

test('once bad, it follows the latest severity at once', () => {
  assert.deepEqual(walk(['warn', 'critical', 'warn', 'critical'], 2, 2), [
    'ok',
    'critical',
    'warn',
    'critical',
  ]);
  assert.deepEqual(walk(['critical'], 1, 1), ['critical']);
});

test('property: the status never changes without a full streak behind it', () => {
  const status = fc.constantFrom<CheckStatus>('ok', 'warn', 'critical');
  fc.assert(
    fc.property(
      fc.array(status, { maxLength: 60 }),
      fc.integer({ min: 1, max: 5 }),
      fc.integer({ min: 1, max: 5 }),
      (observed, failAfter, recoverAfter) => {
        const shown = walk(observed, failAfter, recoverAfter);
        shown.forEach((now, i) => {
          const before = i === 0 ? 'ok' : shown[i - 1];
          if (now === before) return;
          const streak = (n: number, ok: boolean) =>
            observed.slice(Math.max(0, i + 1 - n), i + 1).every((s) => (s === 'ok') === ok) && i + 1 >= n;
          if (now === 'ok') assert.ok(streak(recoverAfter, true), `recovered early at ${i}`);
          else if (before === 'ok') assert.ok(streak(failAfter, false), `failed early at ${i}`);
          if (now !== 'ok') assert.equal(now, observed[i], 'a bad status is the latest observed one');
        });
      },
    ),
  );
});

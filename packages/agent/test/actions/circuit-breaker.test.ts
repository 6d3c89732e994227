// Every transition of the remediation breaker: the table itself, then the class on a FakeClock.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FakeClock } from '@vigil/shared/testing';
import {
  type BreakerData,
  type BreakerState,
  CircuitBreaker,
  transition,
} from '../../src/actions/circuit-breaker.ts';

const LIMITS = { failures: 3, resetMs: 10_000 };

describe('breaker transition table', () => {
  const closed: BreakerData = { state: 'closed', failures: 0, openedAt: 0, trialTaken: false };

  test('closed counts consecutive failures and opens at the limit; a success resets the count', () => {
    let data = transition(closed, 'failure', 5, LIMITS);
    data = transition(data, 'failure', 6, LIMITS);
    assert.deepEqual([data.state, data.failures], ['closed', 2]);
    assert.deepEqual(transition(data, 'success', 7, LIMITS), closed);
    const open = transition(data, 'failure', 7, LIMITS);
    assert.deepEqual([open.state, open.openedAt], ['open', 7]);
  });

  test('open ignores results and turns half-open only once resetMs has passed', () => {
    const open: BreakerData = { state: 'open', failures: 0, openedAt: 100, trialTaken: false };
    assert.equal(transition(open, 'success', 200, LIMITS), open);
    assert.equal(transition(open, 'trial', 200, LIMITS), open);
    assert.equal(transition(open, 'tick', 100 + LIMITS.resetMs - 1, LIMITS).state, 'open');
    assert.equal(transition(open, 'tick', 100 + LIMITS.resetMs, LIMITS).state, 'half-open');
  });

  test('half-open: a trial is taken once; success closes, failure re-opens from now', () => {
    const half: BreakerData = { state: 'half-open', failures: 0, openedAt: 0, trialTaken: false };
    assert.equal(transition(half, 'trial', 1, LIMITS).trialTaken, true);
    assert.deepEqual(transition(half, 'success', 1, LIMITS), closed);
    const reopened = transition(half, 'failure', 50_000, LIMITS);
    assert.deepEqual([reopened.state, reopened.openedAt], ['open', 50_000]);
  });
});

describe('CircuitBreaker', () => {
  function setup() {
    const clock = new FakeClock(1000);
    const changes: string[] = [];
    const breaker = new CircuitBreaker({
      limits: LIMITS,
      clock,
      onChange: (to: BreakerState, from: BreakerState) => changes.push(`${from}→${to}`),
    });
    const fail = (n: number) => {
      for (let i = 0; i < n; i++) {
        assert.equal(breaker.allow(), true);
        breaker.record(false);
      }
    };
    return { clock, changes, breaker, fail };
  }

  test('closed → open after `failures` consecutive failures, and it then refuses', () => {
    const { breaker, changes, fail } = setup();
    fail(2);
    assert.equal(breaker.state, 'closed');
    fail(1);
    assert.equal(breaker.state, 'open');
    assert.equal(breaker.allow(), false);
    assert.deepEqual(changes, ['closed→open']);
  });

  test('open → half-open after resetMs, on a timer (no call needed)', () => {
    const { clock, breaker, changes, fail } = setup();
    fail(3);
    assert.equal(breaker.reopensAt, clock.wallNow() + LIMITS.resetMs);
    clock.advance(LIMITS.resetMs - 1);
    assert.equal(breaker.state, 'open');
    clock.advance(1);
    assert.equal(breaker.state, 'half-open');
    assert.deepEqual(changes, ['closed→open', 'open→half-open']);
  });

  test('half-open lets exactly one trial through; its success closes the breaker', () => {
    const { clock, breaker, fail } = setup();
    fail(3);
    clock.advance(LIMITS.resetMs);
    assert.equal(breaker.allow(), true);
    assert.equal(breaker.allow(), false, 'a second run while the trial is out');
    breaker.record(true);
    assert.equal(breaker.state, 'closed');
    assert.equal(breaker.allow(), true);
  });

  test('half-open trial failure opens it again and restarts the reset timer', () => {
    const { clock, breaker, changes, fail } = setup();
    fail(3);
    clock.advance(LIMITS.resetMs);
    assert.equal(breaker.allow(), true);
    breaker.record(false);
    assert.equal(breaker.state, 'open');
    clock.advance(LIMITS.resetMs - 1);
    assert.equal(breaker.state, 'open');
    clock.advance(1);
    assert.equal(breaker.state, 'half-open');
    assert.deepEqual(changes, ['closed→open', 'open→half-open', 'half-open→open', 'open→half-open']);
  });

  test('a success while closed resets the failure count', () => {
    const { breaker, fail } = setup();
    fail(2);
    breaker.record(true);
    fail(2);
    assert.equal(breaker.state, 'closed');
  });

  test('dispose clears the reset timer', () => {
    const { clock, breaker, fail } = setup();
    fail(3);
    assert.equal(clock.pending, 1);
    breaker.dispose();
    assert.equal(clock.pending, 0);
  });
});

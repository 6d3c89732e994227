import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RepeatCounter, repeatLimitHook } from '@vigil/shared';
import { FakeClock } from '@vigil/shared/testing';
import { pino } from 'pino';

describe('RepeatCounter', () => {
  test('past max in one window the rest is suppressed; the next record after the window gets the summary', () => {
    const counter = new RepeatCounter({ max: 3, windowMs: 1000 });
    const written = Array.from({ length: 10 }, (_, i) => counter.admit('hello', 30, i * 10).write);
    assert.deepEqual(written, [true, true, true, false, false, false, false, false, false, false]);
    const next = counter.admit('hello', 30, 1000);
    assert.deepEqual(next, { write: true, ended: [{ key: 'hello', suppressed: 7 }] });
    assert.deepEqual(counter.admit('hello', 30, 1001).ended, [], 'a new window, nothing to report');
  });

  test('messages are counted apart; errors and fatal lines are never suppressed', () => {
    const counter = new RepeatCounter({ max: 1, windowMs: 1000 });
    assert.equal(counter.admit('a', 40, 0).write, true);
    assert.equal(counter.admit('b', 40, 0).write, true);
    assert.equal(counter.admit('a', 40, 0).write, false);
    for (let i = 0; i < 50; i++) {
      assert.equal(counter.admit('a', 50, 0).write, true);
      assert.equal(counter.admit('a', 60, 0).write, true);
    }
  });

  test('expire closes the ended windows and reports those that suppressed something', () => {
    const counter = new RepeatCounter({ max: 1, windowMs: 100 });
    counter.admit('quiet', 30, 0);
    counter.admit('loud', 30, 50);
    counter.admit('loud', 30, 60);
    assert.equal(counter.nextEnd(), 150);
    assert.deepEqual(counter.expire(149), []);
    assert.deepEqual(counter.expire(150), [{ key: 'loud', suppressed: 1 }]);
    assert.equal(counter.nextEnd(), null);
  });
});

/** A real pino logger with the hook, writing to memory; records parsed. */
function limitedLogger(max: number, windowMs: number, clock = new FakeClock()) {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { hooks: { logMethod: repeatLimitHook({ max, windowMs }, clock) } },
    { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  return { clock, lines, logger };
}

describe('repeatLimitHook on a pino logger', () => {
  test('a flood of one message becomes max lines, then one summary when the window ends', () => {
    const { clock, lines, logger } = limitedLogger(5, 10_000);
    for (let i = 0; i < 200; i++) logger.info({ agentPid: 7, i }, 'agent said hello');
    assert.equal(lines.length, 5);
    assert.deepEqual(
      lines.map((l) => l.i),
      [0, 1, 2, 3, 4],
    );
    clock.advance(10_000);
    assert.equal(lines.length, 6);
    assert.equal(lines[5]?.msg, 'suppressed 195 similar lines: agent said hello');
    assert.equal(lines[5]?.suppressed, 195);
    assert.equal(lines[5]?.level, 30);
    assert.equal(clock.pending, 0, 'no timer left once nothing is suppressed');
  });

  test('the summary comes first when the message returns after its window', () => {
    // A clock whose timers never fire: the summary can only come with the next record.
    let now = 0;
    const stalled = {
      now: () => now,
      wallNow: () => now,
      setTimeout: () => ({ id: 0 }),
      clearTimeout: () => {},
    };
    const { lines, logger } = limitedLogger(1, 1000, stalled as unknown as FakeClock);
    logger.warn('refused a hello');
    logger.warn('refused a hello');
    now = 1000;
    logger.warn('refused a hello');
    assert.deepEqual(
      lines.map((l) => l.msg),
      ['refused a hello', 'suppressed 1 similar line: refused a hello', 'refused a hello'],
    );
  });

  test('errors are never suppressed, other messages are not affected, child loggers share the limit', () => {
    const { lines, logger } = limitedLogger(2, 1000);
    for (let i = 0; i < 10; i++) logger.error({ i }, 'agent could not be started');
    const child = logger.child({ part: 'heartbeat' });
    for (let i = 0; i < 10; i++) {
      logger.info('tick');
      child.info('tick');
    }
    logger.info('other');
    assert.equal(lines.filter((l) => l.msg === 'agent could not be started').length, 10);
    assert.equal(lines.filter((l) => l.msg === 'tick').length, 2);
    assert.equal(lines.filter((l) => l.msg === 'other').length, 1);
  });

  test('a record without a message is never held back', () => {
    const { lines, logger } = limitedLogger(1, 1000);
    for (let i = 0; i < 5; i++) logger.info({ i });
    assert.equal(lines.length, 5);
  });
});

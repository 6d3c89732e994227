import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RequestTurns } from '../../src/control/request-turns.ts';

function drain(turns: RequestTurns<string>, log: string[]): void {
  for (let job = turns.next(); job; job = turns.next()) job();
  assert.equal(turns.waiting, false);
  assert.ok(log.length > 0);
}

test('the sockets alternate and the connections on each take turns', () => {
  const turns = new RequestTurns<string>();
  const log: string[] = [];
  for (let i = 1; i <= 4; i++) turns.add('status', 'greedy', () => log.push(`greedy${i}`));
  turns.add('status', 'other', () => log.push('other'));
  turns.add('control', 'operator', () => log.push('operator'));
  drain(turns, log);
  assert.deepEqual(log, ['operator', 'greedy1', 'other', 'greedy2', 'greedy3', 'greedy4']);
});

test('a flood on the status socket never keeps the control socket more than one turn', () => {
  const turns = new RequestTurns<string>();
  const log: string[] = [];
  for (let c = 0; c < 32; c++)
    for (let r = 0; r < 4; r++) turns.add('status', `s${c}`, () => log.push('status'));
  turns.next()?.();
  turns.add('control', 'operator', () => log.push('operator'));
  turns.next()?.();
  assert.deepEqual(log, ['status', 'operator']);
});

test('a dropped connection loses its waiting requests, and only its own', () => {
  const turns = new RequestTurns<string>();
  const log: string[] = [];
  turns.add('status', 'gone', () => log.push('gone'));
  turns.add('status', 'stays', () => log.push('stays'));
  turns.drop('status', 'gone');
  turns.drop('status', 'never-added');
  drain(turns, log);
  assert.deepEqual(log, ['stays']);
});

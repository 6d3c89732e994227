import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type CommandMessage, createLogger, isVigilError, type ResultMessage } from '@vigil/shared';
import { FakeClock } from '@vigil/shared/testing';
import { HISTORY_MAX, handleRequest, type RequestDeps } from '../../src/control/handle-request.ts';
import type { LadderEvent, OperatorOutcome } from '../../src/ladder/ladder-events.ts';
import { LogThrottle } from '../../src/logging/log-throttle.ts';
import { CommandChannel } from '../../src/supervisor/command-channel.ts';

function deps(reply: OperatorOutcome | undefined, over: Partial<RequestDeps> = {}) {
  const posted: LadderEvent[] = [];
  const sent: CommandMessage[] = [];
  const commands = new CommandChannel((command) => {
    sent.push(command);
    // The agent answers every command at once.
    queueMicrotask(() =>
      commands.resolve({
        v: 1,
        type: 'result',
        id: command.id,
        ok: true,
        did: ['ok'],
        durationMs: 1,
      } as ResultMessage),
    );
    return true;
  });
  const logger = createLogger({ component: 'watchdog', level: 'silent' });
  const d: RequestDeps = {
    post: (event) => {
      posted.push(event);
      return reply;
    },
    status: async () => ({}) as never,
    recentIncidents: (n) => Array.from({ length: n }, () => ({}) as never),
    commands,
    faultsEnabled: false,
    logger,
    throttled: new LogThrottle(logger, 5, 10_000, new FakeClock()),
    wallNow: () => 1_000_000,
    ...over,
  };
  return { d, posted, sent };
}

describe('control requests become ladder events and replies', () => {
  test('recover posts an operator event and answers with the ladder’s reply', async () => {
    const { d, posted } = deps({
      accepted: true,
      detail: 'stopping and restarting the agent',
      incidentId: 'i1',
    });
    const answer = await handleRequest({ v: 1, type: 'request', id: 'a', op: 'recover', level: 'hard' }, d);
    assert.deepEqual(posted, [{ type: 'operator', level: 'hard' }]);
    assert.deepEqual(answer, {
      accepted: true,
      detail: 'stopping and restarting the agent',
      incidentId: 'i1',
    });
  });

  test('a refusal is a VIGIL_OPERATOR_REFUSED error with the ladder’s reason', async () => {
    const { d } = deps({ accepted: false, detail: 'operator restart budget spent: 3 in the last 60 s' });
    await assert.rejects(
      handleRequest({ v: 1, type: 'request', id: 'a', op: 'recover', level: 'hard' }, d),
      (error: unknown) => isVigilError(error, 'VIGIL_OPERATOR_REFUSED') && /budget spent/.test(error.message),
    );
  });

  test('pause is an event, and the agent hears of the window; resume ends it', async () => {
    const { d, posted, sent } = deps({ accepted: true, detail: 'paused for 60000 ms' });
    const paused = await handleRequest({ v: 1, type: 'request', id: 'a', op: 'pause', forMs: 60_000 }, d);
    assert.deepEqual(paused, { paused: true, until: 1_060_000 });
    assert.deepEqual(posted, [{ type: 'pause', forMs: 60_000 }]);
    assert.deepEqual(
      sent.map((c) => c.cmd === 'maintenance' && c.untilMs),
      [1_060_000],
    );
    await handleRequest({ v: 1, type: 'request', id: 'b', op: 'resume' }, d);
    assert.deepEqual(posted.at(-1), { type: 'resume' });
    assert.deepEqual(sent.at(-1)?.cmd === 'maintenance' && sent.at(-1), { ...sent.at(-1), untilMs: 0 });
  });

  test('history is capped and read from memory; faults are refused unless enabled', async () => {
    const { d } = deps(undefined);
    const many = (await handleRequest(
      { v: 1, type: 'request', id: 'a', op: 'history', n: 100_000 },
      d,
    )) as unknown[];
    assert.equal(many.length, HISTORY_MAX);
    await assert.rejects(
      handleRequest({ v: 1, type: 'request', id: 'a', op: 'fault', fault: { name: 'hang' } }, d),
      /fault injection is disabled/,
    );
  });
});

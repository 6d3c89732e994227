/**
 * Random event sequences through `step`, driven as a well-behaved loop would (a start is answered
 * by started or start-failed, a stop by stopped, a hello only from a live agent), with signals,
 * clears, trends, operator requests, pause, resume, stale timers and time jumps thrown in at
 * random. After every event the invariants must hold.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SignalKind } from '@vigil/shared';
import fc from 'fast-check';
import type { LadderEffect, LadderEvent } from '../../src/ladder/ladder-events.ts';
import { LADDER_PHASES, type TimerName } from '../../src/ladder/ladder-state.ts';
import { harness } from './ladder-harness.ts';

const KINDS: SignalKind[] = [
  'process-stopped',
  'heartbeat-lost',
  'memory-ceiling',
  'memory',
  'cpu',
  'self-failing',
  'event-loop-lag',
];

const action = fc.oneof(
  fc.record({ do: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 200_000 }) }),
  fc.record({ do: fc.constant('signal' as const), kind: fc.constantFrom(...KINDS) }),
  fc.record({ do: fc.constant('cleared' as const), kind: fc.constantFrom(...KINDS) }),
  fc.record({ do: fc.constant('trend' as const), rising: fc.boolean() }),
  fc.record({ do: fc.constant('result' as const), ok: fc.boolean() }),
  fc.record({ do: fc.constant('answer-start' as const), ok: fc.boolean(), hello: fc.boolean() }),
  fc.record({ do: fc.constant('hello' as const) }),
  fc.record({ do: fc.constant('exit' as const) }),
  fc.record({ do: fc.constant('answer-stop' as const) }),
  fc.record({
    do: fc.constant('operator' as const),
    level: fc.constantFrom('soft' as const, 'medium' as const, 'hard' as const),
  }),
  fc.record({
    do: fc.constant('pause' as const),
    forMs: fc.option(fc.integer({ min: 1, max: 100_000 }), { nil: undefined }),
  }),
  fc.record({ do: fc.constant('resume' as const) }),
  fc.record({ do: fc.constant('stale-timer' as const) }),
  fc.record({ do: fc.constant('responsive' as const), value: fc.boolean() }),
  fc.record({ do: fc.constant('replaced' as const) }),
  // A crash loop: the agent starts, dies at once, is swept, and the backoff runs out.
  fc.record({ do: fc.constant('crash' as const), repeat: fc.integer({ min: 1, max: 12 }) }),
);

type Action = typeof action extends fc.Arbitrary<infer A> ? A : never;

function run(actions: Action[], adopted: boolean): void {
  const h = harness({ jitterRandom: 0.5 });
  let alive = false;
  let startOutstanding = false;
  let stopOutstanding = false;
  let pid = 100;
  let automatic: number[] = [];
  /** The stop in flight was an operator's (recover hard): the start after it is theirs. */
  let operatorStop = false;
  const opened = new Set<string>();
  const closed = new Set<string>();

  const dispatch = (event: LadderEvent) => {
    const pausedBefore = h.state.paused !== null;
    const before = h.effects.length;
    h.dispatch(event);
    check(event, h.effects.slice(before), pausedBefore);
  };

  function check(event: LadderEvent, effects: LadderEffect[], pausedBefore: boolean) {
    assert.ok(LADDER_PHASES.includes(h.state.phase), `phase ${h.state.phase}`);
    const cause = event.type === 'timer' ? `timer:${event.name}` : event.type;
    for (const e of effects) {
      if (e.type === 'start') {
        // Never two starts without the first agent gone in between.
        assert.ok(!alive && !startOutstanding, `a second start while an agent may live (on ${cause})`);
        startOutstanding = true;
        // The start after an operator's hard stop is the operator's restart: it counts afresh.
        const operators = cause === 'stopped' && operatorStop;
        if (!operators && ['stopped', 'start-failed', 'timer:backoff'].includes(cause)) {
          automatic.push(h.now);
          const inWindow = automatic.filter((t) => t > h.now - h.config.intensity.withinMs);
          assert.ok(
            inWindow.length <= h.config.intensity.maxRestarts,
            `${inWindow.length} automatic restarts within the window`,
          );
        } else {
          // An operator's start, a probe or a resume starts the count afresh.
          automatic = [];
        }
      }
      if (e.type === 'stop') {
        const resuming = cause === 'resume' || cause === 'timer:pause';
        assert.ok(!pausedBefore || resuming, `a paused ladder stopped the agent (on ${cause})`);
        stopOutstanding = true;
        operatorStop = cause === 'operator';
      }
      if (e.type === 'record' && e.event.kind === 'opened') {
        // One incident at a time: the previous one closed before this one opened.
        assert.equal(opened.size, closed.size, `incident ${e.event.incidentId} opened while another is open`);
        opened.add(e.event.incidentId);
      }
      if (e.type === 'record' && e.event.kind === 'closed') closed.add(e.event.incidentId);
    }
  }

  /** Fires due timers one by one, checking each as its own event. */
  const advance = (ms: number) => {
    const target = h.now + ms;
    for (;;) {
      let next: [string, { at: number }] | undefined;
      for (const entry of h.timers) if (!next || entry[1].at < next[1].at) next = entry;
      if (!next || next[1].at > target) break;
      const name = next[0] as TimerName;
      const before = h.effects.length;
      const pausedBefore = h.state.paused !== null;
      h.advance(next[1].at - h.now);
      check({ type: 'timer', name, token: -1 }, h.effects.slice(before), pausedBefore);
    }
    h.advance(target - h.now);
  };

  dispatch({ type: 'begin', adopted });
  if (adopted) alive = true;
  for (const a of actions) {
    switch (a.do) {
      case 'advance':
        advance(a.ms);
        break;
      case 'signal':
        if (alive) dispatch({ type: 'signal', kind: a.kind, detail: 'x' });
        break;
      case 'cleared':
        dispatch({ type: 'cleared', kind: a.kind });
        break;
      case 'trend':
        dispatch({ type: 'trend', kind: 'memory', rising: a.rising });
        break;
      case 'result': {
        const pending = h.state.pending;
        if (pending) dispatch({ type: 'result', id: pending.id, ok: a.ok, did: [], durationMs: 1 });
        break;
      }
      case 'answer-start':
        if (!startOutstanding) break;
        startOutstanding = false;
        if (a.ok) {
          alive = true;
          dispatch({ type: 'started', pid: ++pid });
          if (a.hello) dispatch({ type: 'hello', pid });
        } else {
          dispatch({ type: 'start-failed', detail: 'ENOENT' });
        }
        break;
      case 'hello':
        if (alive) dispatch({ type: 'hello', pid });
        break;
      case 'exit':
        if (alive && !startOutstanding) {
          alive = false;
          dispatch({ type: 'exit', detail: 'code 1' });
        }
        break;
      case 'answer-stop':
        if (stopOutstanding) {
          // The loop's stop waits for a start still in flight and stops what it started too.
          stopOutstanding = false;
          startOutstanding = false;
          alive = false;
          dispatch({ type: 'stopped', how: 'SIGKILL' });
        }
        break;
      case 'operator':
        dispatch({ type: 'operator', level: a.level });
        break;
      case 'pause':
        dispatch({ type: 'pause', forMs: a.forMs });
        break;
      case 'resume':
        dispatch({ type: 'resume' });
        break;
      case 'stale-timer':
        dispatch({ type: 'timer', name: 'backoff', token: -7 });
        break;
      case 'responsive':
        h.setResponsive(a.value);
        break;
      case 'crash':
        for (let i = 0; i < a.repeat; i++) {
          if (startOutstanding) {
            startOutstanding = false;
            alive = true;
            dispatch({ type: 'started', pid: ++pid });
          }
          if (alive && !stopOutstanding) {
            alive = false;
            dispatch({ type: 'exit', detail: 'code 1' });
          }
          if (stopOutstanding) {
            stopOutstanding = false;
            startOutstanding = false;
            alive = false;
            dispatch({ type: 'stopped', how: 'already-exited' });
          }
          if (h.state.phase === 'backoff' && h.state.nextRetryAt !== null) {
            const seenBefore = h.effects.length;
            h.advance(h.state.nextRetryAt - h.now);
            check({ type: 'timer', name: 'backoff', token: -1 }, h.effects.slice(seenBefore), false);
          }
        }
        break;
      case 'replaced':
        if (alive && !startOutstanding && !stopOutstanding && h.state.phase !== 'stopping') {
          dispatch({ type: 'replaced', pid: ++pid, detail: 'systemctl restart' });
          automatic = [];
        }
        break;
    }
  }
  // Every opened incident closes once the pair shuts down.
  dispatch({ type: 'shutdown' });
  assert.deepEqual(
    [...opened].filter((id) => !closed.has(id)),
    [],
    'every opened incident closed',
  );
  assert.equal(h.timers.size, 0, 'no timer outlives the shutdown');
}

test('random event sequences keep the ladder’s invariants', () => {
  fc.assert(
    fc.property(fc.array(action, { maxLength: 80 }), fc.boolean(), (actions, adopted) =>
      run(actions, adopted),
    ),
    {
      numRuns: 400,
      // Found by the property: an operator's hard restart, then a crash loop (its start is the
      // operator's; the crashes after it are the ones the intensity counts).
      examples: [[[{ do: 'hello' }, { do: 'operator', level: 'hard' }, { do: 'crash', repeat: 6 }], true]],
    },
  );
});

/**
 * Drives `step` as the supervisor's loop would, with no clock: `now` is a number the test moves,
 * timers are the armed ones in a map, fired in order by `advance`. Effects are recorded as data.
 */
import type { IncidentEvent, Rung } from '@vigil/shared';
import type {
  LadderAlert,
  LadderEffect,
  LadderEvent,
  OperatorOutcome,
  StopRequest,
} from '../../src/ladder/ladder-events.ts';
import {
  initialLadderState,
  type LadderConfig,
  type LadderState,
  type TimerName,
} from '../../src/ladder/ladder-state.ts';
import { step } from '../../src/ladder/ladder-table.ts';

export const CONFIG: LadderConfig = {
  softVerifyMs: 2000,
  mediumVerifyMs: 3000,
  startupGraceMs: 10_000,
  stableAfterMs: 30_000,
  probeMs: 180_000,
  risingSamples: 2,
  backoff: { initialMs: 500, maxMs: 30_000, jitter: 0.25 },
  intensity: { maxRestarts: 5, withinMs: 60_000 },
  operator: { maxRestarts: 3, withinMs: 60_000 },
  stopTimeoutMs: 3000,
  unresponsiveStopTimeoutMs: 250,
};

export interface HarnessOptions {
  jitterRandom?: number;
  maxRestarts?: number;
  operatorRestarts?: number;
}

export function harness(options: HarnessOptions = {}) {
  const config: LadderConfig = {
    ...CONFIG,
    intensity: { ...CONFIG.intensity, maxRestarts: options.maxRestarts ?? CONFIG.intensity.maxRestarts },
    operator: { ...CONFIG.operator, maxRestarts: options.operatorRestarts ?? CONFIG.operator.maxRestarts },
  };
  let state: LadderState = initialLadderState();
  let now = 0;
  let ids = 0;
  let responsive = true;
  const timers = new Map<TimerName, { token: number; at: number; seq: number }>();
  let timerSeq = 0;
  const starts: number[] = [];
  const stops: StopRequest[] = [];
  const commands: { level: string; id: string }[] = [];
  const records: IncidentEvent[] = [];
  const alerts: LadderAlert[] = [];
  const replies: OperatorOutcome[] = [];
  const effects: LadderEffect[] = [];

  function dispatch(event: LadderEvent): void {
    const [next, out] = step(state, event, config, {
      now,
      wall: Date.UTC(2026, 0, 1) + now,
      responsive,
      newIncidentId: () => `inc-${++ids}`,
      random: () => options.jitterRandom ?? 0,
    });
    state = next;
    const failedSends: string[] = [];
    for (const e of out) {
      effects.push(e);
      switch (e.type) {
        case 'start':
          starts.push(now);
          break;
        case 'stop':
          stops.push(e.request);
          break;
        case 'send':
          // The loop cannot send without a session: it says so with an event.
          if (responsive) commands.push({ level: e.level, id: e.id });
          else failedSends.push(e.id);
          break;
        case 'record':
          records.push(e.event);
          break;
        case 'alert':
          alerts.push(e.alert);
          break;
        case 'arm':
          timers.set(e.name, { token: e.token, at: now + e.ms, seq: ++timerSeq });
          break;
        case 'disarm':
          timers.delete(e.name);
          break;
        case 'reply':
          replies.push(e.outcome);
          break;
      }
    }
    for (const id of failedSends) dispatch({ type: 'send-failed', id });
  }

  function earliest(): [TimerName, { token: number; at: number; seq: number }] | undefined {
    let best: [TimerName, { token: number; at: number; seq: number }] | undefined;
    for (const entry of timers) {
      if (!best || entry[1].at < best[1].at || (entry[1].at === best[1].at && entry[1].seq < best[1].seq))
        best = entry;
    }
    return best;
  }

  const h = {
    config,
    starts,
    stops,
    commands,
    records,
    alerts,
    replies,
    effects,
    timers,
    get state(): LadderState {
      return state;
    },
    get now(): number {
      return now;
    },
    dispatch,
    setResponsive(value: boolean) {
      responsive = value;
    },
    /** Moves time on by `ms`, firing every armed timer that falls due, in order. */
    advance(ms: number) {
      const target = now + ms;
      for (let next = earliest(); next && next[1].at <= target; next = earliest()) {
        const [name, timer] = next;
        now = Math.max(now, timer.at);
        timers.delete(name);
        dispatch({ type: 'timer', name, token: timer.token });
      }
      now = target;
    },
    /** Jumps to the next armed timer and fires it. */
    runNext() {
      const next = earliest();
      if (!next) return false;
      h.advance(next[1].at - now);
      return true;
    },
    operator(level: Rung): OperatorOutcome {
      const before = replies.length;
      dispatch({ type: 'operator', level });
      return replies[before] as OperatorOutcome;
    },
    pause(forMs?: number) {
      dispatch({ type: 'pause', forMs });
    },
    resume() {
      dispatch({ type: 'resume' });
    },
    /** Starts the agent and brings it to running. */
    up(pid = 100) {
      if (state.phase === 'stopped') dispatch({ type: 'begin', adopted: false });
      dispatch({ type: 'started', pid });
      dispatch({ type: 'hello', pid });
      if (state.phase !== 'running') throw new Error(`not running: ${state.phase}`);
    },
    lastCommand() {
      return commands.at(-1) as { level: string; id: string };
    },
    result(ok = true, did = ['done']) {
      dispatch({ type: 'result', id: h.lastCommand().id, ok, did, durationMs: 5 });
    },
    /** Completes the hard stop the ladder asked for. */
    stopped(how = 'SIGTERM') {
      dispatch({ type: 'stopped', how });
    },
    kinds(incidentId?: string) {
      return records
        .filter((r) => !incidentId || r.incidentId === incidentId)
        .map((r) => (r.rung ? `${r.kind}:${r.rung}` : r.kind));
    },
    closed() {
      return records.filter((r) => r.kind === 'closed');
    },
  };
  return h;
}

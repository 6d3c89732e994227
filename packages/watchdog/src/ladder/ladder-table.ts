/**
 * The recovery ladder (DESIGN.md §4) as one table: phase × event → a small named transition, and
 * a pure `step(state, event, config, env) → [state, effects]`. Time, the agent's responsiveness,
 * incident ids and jitter come in with `env`; starts, stops, commands, records, alerts, timers
 * and replies go out as effects. An event a phase has no entry for changes nothing.
 *
 *   running ─signal─▶ soft ─not cleared─▶ medium ─not cleared─▶ stopping (hard) ─▶ [backoff] ─▶ starting ─hello─▶ running
 *                                                                     └─ over intensity ─▶ failed ─probe─▶ starting
 */
import type { Rung, SignalKind } from '@vigil/shared';
import type { LadderEffect, LadderEnv, LadderEvent } from './ladder-events.js';
import type { LadderConfig, LadderPhase, LadderState } from './ladder-state.js';
import { LadderTurn, STRAIGHT_TO_HARD } from './ladder-turn.js';
import { operatorBudget, spendOperator } from './restart-window.js';

type Of<T extends LadderEvent['type']> = Extract<LadderEvent, { type: T }>;
type Transition<E extends LadderEvent = LadderEvent> = (t: LadderTurn, event: E) => void;
/** Timers are keyed by name: `timer:verify`, `timer:backoff`, … */
type EventKey = Exclude<LadderEvent['type'], 'timer'> | `timer:${Of<'timer'>['name']}`;
type Row = {
  [K in EventKey]?: Transition<K extends `timer:${string}` ? Of<'timer'> : Of<Exclude<K, `timer:${string}`>>>;
};

// ── transitions ─────────────────────────────────────────────────────────────────────────────

const begin: Transition<Of<'begin'>> = (t, e) => {
  if (!e.adopted) return t.startAgent(false);
  t.s.phase = 'starting';
  t.arm('grace', t.config.startupGraceMs);
};

const noteStarted: Transition<Of<'started'>> = (t, e) => t.record('started', { pid: e.pid });

const startFailed: Transition<Of<'start-failed'>> = (t, e) => {
  t.disarm('grace');
  if (!t.s.incident) t.open('exit', `the agent could not be started: ${e.detail}`);
  t.record('stopped', { detail: `start failed: ${e.detail}` });
  t.afterStop();
};

const hello: Transition<Of<'hello'>> = (t, e) => {
  t.disarm('grace');
  t.s.phase = 'running';
  t.arm('stable', t.config.stableAfterMs);
  if (t.s.incident) {
    const wasFailed = t.s.failed;
    t.close('restarted', `agent pid ${e.pid} is up`);
    if (wasFailed) t.endFailedPeriod();
  }
  t.actOnWorstActive();
};

/** Signals are remembered in every phase; what is done about them depends on the phase. */
function note(t: LadderTurn, kind: SignalKind, detail: string): boolean {
  // A signal raised again keeps its first time: how long it has lasted is part of the story.
  t.s.active[kind] = { detail, since: t.s.active[kind]?.since ?? t.env.now };
  if (!t.s.paused) return true;
  // Detection goes on under maintenance; a dead agent simply stays down until resume.
  if (kind === 'exit' && t.s.phase !== 'stopping') t.s.phase = 'stopped';
  return false;
}
const asSignal = (e: Of<'signal'> | Of<'exit'>) =>
  e.type === 'exit' ? { kind: 'exit' as const, detail: e.detail } : { kind: e.kind, detail: e.detail };

const noteOnly: Transition<Of<'signal'> | Of<'exit'>> = (t, e) => {
  const { kind, detail } = asSignal(e);
  note(t, kind, detail);
};

const signalWhileRunning: Transition<Of<'signal'> | Of<'exit'>> = (t, e) => {
  const { kind, detail } = asSignal(e);
  if (note(t, kind, detail)) t.openAndClimb(kind, detail);
};

const signalDuringRung: Transition<Of<'signal'> | Of<'exit'>> = (t, e) => {
  const { kind, detail } = asSignal(e);
  if (note(t, kind, detail) && STRAIGHT_TO_HARD.has(kind)) t.climbTo('hard', `${kind}: ${detail}`, kind);
};

const signalWhileStarting: Transition<Of<'signal'> | Of<'exit'>> = (t, e) => {
  const { kind, detail } = asSignal(e);
  if (!note(t, kind, detail) || (kind !== 'exit' && kind !== 'no-hello')) return;
  t.disarm('grace');
  if (!t.s.incident) t.open(kind, detail);
  t.climbTo('hard', `${kind}: ${detail}`, kind);
};

const forget: Transition<Of<'cleared'>> = (t, e) => {
  delete t.s.active[e.kind];
};

/** The rung worked: the incident is resolved, and the ladder looks at what else is wrong. */
function resolveRung(t: LadderTurn, kind: SignalKind): void {
  t.close('resolved', `${kind} cleared after ${t.s.phase}`);
  t.s.phase = 'running';
  t.actOnWorstActive();
}

const clearedDuringRung: Transition<Of<'cleared'>> = (t, e) => {
  delete t.s.active[e.kind];
  if (t.s.incident?.signal !== e.kind) return;
  // Cleared before the rung's result came (what the handlers did made it clear): the result is
  // part of the story, so the incident closes when it comes, or when the verify window ends.
  if (t.s.pending && t.s.pending.resultAt === null) return;
  resolveRung(t, e.kind);
};

const trend: Transition<Of<'trend'>> = (t, e) => {
  const { s } = t;
  if (s.incident?.signal !== e.kind || !s.pending || s.pending.resultAt === null) return;
  s.rising = e.rising ? s.rising + 1 : 0;
  if (s.rising >= t.config.risingSamples)
    t.escalate(`${e.kind} still rising ${s.rising} samples after ${s.phase}`);
};

const result: Transition<Of<'result'>> = (t, e) => {
  const pending = t.s.pending;
  if (!pending || pending.id !== e.id) return;
  pending.resultAt = t.env.now;
  t.s.rising = 0;
  t.record('result', {
    rung: pending.level,
    ok: e.ok,
    durationMs: e.durationMs,
    did: e.did,
    ...(e.error ? { detail: e.error } : {}),
  });
  const incident = t.s.incident;
  if (incident && incident.signal !== 'operator' && t.s.active[incident.signal] === undefined) {
    // The signal cleared while the handlers ran: this result is what cleared it.
    return resolveRung(t, incident.signal);
  }
  if (!e.ok) return t.escalate(`${pending.level} handlers failed${e.error ? `: ${e.error}` : ''}`);
  // An operator's rung has no signal to watch: its result is its outcome.
  if (incident?.signal === 'operator') {
    t.close('resolved', `${pending.level} done`);
    t.s.phase = 'running';
    t.actOnWorstActive();
  }
};

const sendFailed: Transition<Of<'send-failed'>> = (t, e) => {
  const pending = t.s.pending;
  if (!pending || pending.id !== e.id) return;
  t.record('result', { rung: pending.level, ok: false, detail: 'no agent session to send the command on' });
  t.escalate(`${pending.level} could not be sent`);
};

const stopped: Transition<Of<'stopped'>> = (t, e) => {
  t.record('stopped', { detail: e.detail ? `${e.how}: ${e.detail}` : e.how });
  t.afterStop();
};

const graceExpired: Transition<Of<'timer'>> = (t) =>
  signalWhileStarting(t, {
    type: 'signal',
    kind: 'no-hello',
    detail: `no hello within ${t.config.startupGraceMs} ms of the start`,
  });

const verifyExpired: Transition<Of<'timer'>> = (t) => {
  const { s } = t;
  const incident = s.incident;
  if (incident?.signal === 'operator') {
    // An operator's rung is not escalated behind their back; a hung agent is caught anyway.
    t.close('aborted', `no result to ${s.phase} within its verify window`);
    s.phase = 'running';
  } else if (incident && s.active[incident.signal] !== undefined) {
    const why = s.pending?.resultAt === null ? 'no result' : 'not cleared';
    t.escalate(`${incident.signal} ${why} within the ${s.phase} verify window`);
  } else {
    resolveRung(t, incident?.signal ?? 'operator');
  }
};

const backoffExpired: Transition<Of<'timer'>> = (t) => t.startAgent(true);

const probe: Transition<Of<'timer'>> = (t) => {
  t.record('rung', { rung: 'hard', detail: 'probe: one more start while failed' });
  t.startAgent(true);
};

const markStable: Transition<Of<'timer'>> = (t) => {
  t.s.restarts = { ...t.s.restarts, consecutive: 0 };
};

// ── operator requests, maintenance, shutdown ───────────────────────────────────────────────

function refuseIfPaused(t: LadderTurn): boolean {
  if (!t.s.paused) return false;
  t.reply({ accepted: false, detail: 'the watchdog is paused; `vigil resume` first' });
  return true;
}

/** Spends the operator budget, or replies with why not; true when spent. */
function spendBudget(t: LadderTurn): boolean {
  const budget = operatorBudget(t.s.operatorRestarts, t.env.now, t.config.operator);
  if (!budget.ok) {
    t.reply({ accepted: false, detail: budget.detail });
    return false;
  }
  t.s.operatorRestarts = spendOperator(t.s.operatorRestarts, t.env.now, t.config.operator);
  return true;
}

/** Down (stopped, failed): hard starts it now; soft and medium have nothing to run on. */
const operatorWhileDown: Transition<Of<'operator'>> = (t, e) => {
  if (refuseIfPaused(t)) return;
  if (e.level !== 'hard')
    return t.reply({ accepted: false, detail: `the agent is ${t.s.phase}, not running` });
  if (!spendBudget(t)) return;
  if (!t.s.incident) t.open('operator', 'operator asked for hard');
  t.record('rung', { rung: 'hard', detail: 'operator: start now' });
  t.endFailedPeriod();
  t.startAgent(false);
  t.reply({ accepted: true, detail: 'starting the agent now' });
};

const HARD_IN_PROGRESS: Partial<Record<LadderPhase, string>> = {
  stopping: 'stopping the agent',
  backoff: 'backing off before the next start',
  starting: 'starting the agent',
};

/** A restart is in progress (stopping, backing off, starting): a hard request joins it, so a
 * script asking in a loop can neither cut the crash-loop guard's backoff short nor stack restarts. */
const operatorWhileRestarting: Transition<Of<'operator'>> = (t, e) => {
  if (refuseIfPaused(t)) return;
  if (e.level !== 'hard')
    return t.reply({ accepted: false, detail: `the agent is ${t.s.phase}, not running` });
  t.reply({
    accepted: true,
    joined: true,
    detail: `joined the hard recovery in progress (${HARD_IN_PROGRESS[t.s.phase]})`,
  });
};

/** Running or in a soft/medium rung: the request enters the same climb as a detector signal. */
const operatorWhileUp: Transition<Of<'operator'>> = (t, e) => {
  if (refuseIfPaused(t)) return;
  const { s } = t;
  const level: Rung = e.level;
  if (level === 'hard') {
    if (!spendBudget(t)) return;
    if (!s.incident) t.open('operator', 'operator asked for hard');
    s.afterStop = 'operator-restart';
    t.climbTo('hard', 'operator asked for hard', 'operator');
    return t.reply({ accepted: true, detail: 'stopping and restarting the agent' });
  }
  // Asking for what is already being done (or more) joins it rather than starting it over.
  if (s.phase === 'medium' || (s.phase === 'soft' && level === 'soft')) {
    return t.reply({ accepted: true, joined: true, detail: `joined the ${s.phase} recovery in progress` });
  }
  if (!t.env.responsive) {
    return t.reply({
      accepted: false,
      detail: `the agent is not responsive, so ${level} cannot run; use hard`,
    });
  }
  if (!s.incident) t.open('operator', `operator asked for ${level}`);
  t.climbTo(level, `operator asked for ${level}`, 'operator');
  t.reply({ accepted: true, detail: `${level} recovery sent to the agent` });
};

const pause: Transition<Of<'pause'>> = (t, e) => {
  const { s, env } = t;
  const until = e.forMs === undefined ? null : env.now + e.forMs;
  s.paused = { until, untilWall: e.forMs === undefined ? null : env.wall + e.forMs };
  if (s.phase !== 'stopping' && s.phase !== 'starting') t.close('aborted', 'paused by the operator');
  s.pending = null;
  t.disarm('verify', 'backoff', 'probe', 'pause');
  s.nextRetryAt = null;
  if (s.phase === 'soft' || s.phase === 'medium') s.phase = 'running';
  if (s.phase === 'backoff' || s.phase === 'failed') s.phase = 'stopped';
  if (e.forMs !== undefined) t.arm('pause', e.forMs);
  t.reply({
    accepted: true,
    detail: e.forMs === undefined ? 'paused until resumed' : `paused for ${e.forMs} ms`,
  });
};

function resumeNow(t: LadderTurn): void {
  if (!t.s.paused) return;
  t.s.paused = null;
  t.disarm('pause');
  if (t.s.phase === 'stopped') t.startAgent(false);
  else t.actOnWorstActive();
}

const resume: Transition<Of<'resume'>> = (t) => {
  const was = t.s.paused !== null;
  resumeNow(t);
  t.reply({ accepted: true, detail: was ? 'resumed' : 'was not paused' });
};

const pauseExpired: Transition<Of<'timer'>> = (t) => resumeNow(t);

const shutdown: Transition<Of<'shutdown'>> = (t) => {
  t.close('aborted', 'the watchdog is shutting down');
  t.disarm('verify', 'backoff', 'probe', 'grace', 'stable', 'pause');
  t.s.phase = 'stopped';
  t.s.shuttingDown = true;
};

/** Someone else restarted the agent (systemd): adopted as if started here, recorded as theirs. */
const replaced: Transition<Of<'replaced'>> = (t, e) => {
  const { s } = t;
  t.close('aborted', `superseded: ${e.detail}`);
  t.disarm('verify', 'backoff', 'probe', 'stable');
  s.nextRetryAt = null;
  s.active = {};
  s.pending = null;
  s.afterStop = 'restart';
  t.endFailedPeriod();
  t.open('operator', e.detail);
  t.record('started', { pid: e.pid });
  t.close('restarted', `adopted agent pid ${e.pid}, started outside the watchdog`);
  s.phase = 'starting';
  t.arm('grace', t.config.startupGraceMs);
};

// ── the table ───────────────────────────────────────────────────────────────────────────────

/** What every phase does the same way. */
const ANY: Row = {
  started: noteStarted,
  cleared: forget,
  pause,
  resume,
  'timer:pause': pauseExpired,
  'timer:stable': markStable,
  shutdown,
  replaced,
};
const RUNG: Row = {
  ...ANY,
  signal: signalDuringRung,
  exit: signalDuringRung,
  cleared: clearedDuringRung,
  trend,
  result,
  'send-failed': sendFailed,
  'timer:verify': verifyExpired,
  operator: operatorWhileUp,
};

export const TABLE: Record<LadderPhase, Row> = {
  stopped: { ...ANY, begin, signal: noteOnly, exit: noteOnly, operator: operatorWhileDown },
  starting: {
    ...ANY,
    'start-failed': startFailed,
    hello,
    signal: signalWhileStarting,
    exit: signalWhileStarting,
    'timer:grace': graceExpired,
    operator: operatorWhileRestarting,
  },
  running: { ...ANY, signal: signalWhileRunning, exit: signalWhileRunning, operator: operatorWhileUp },
  soft: RUNG,
  medium: RUNG,
  stopping: {
    ...ANY,
    stopped,
    signal: noteOnly,
    exit: noteOnly,
    operator: operatorWhileRestarting,
    replaced: undefined,
  },
  backoff: {
    ...ANY,
    signal: noteOnly,
    exit: noteOnly,
    'timer:backoff': backoffExpired,
    operator: operatorWhileRestarting,
  },
  failed: { ...ANY, signal: noteOnly, exit: noteOnly, 'timer:probe': probe, operator: operatorWhileDown },
};

/** The requests that are always answered, whatever the state. */
const ANSWERED: ReadonlySet<LadderEvent['type']> = new Set(['operator', 'pause', 'resume']);

export function step(
  state: LadderState,
  event: LadderEvent,
  config: LadderConfig,
  env: LadderEnv,
): [LadderState, LadderEffect[]] {
  const turn = new LadderTurn(state, config, env);
  if (event.type === 'timer') {
    // A timer that was re-armed or disarmed since is stale.
    if (state.timers[event.name] !== event.token) return [state, []];
    delete turn.s.timers[event.name];
  }
  if (state.shuttingDown) {
    if (ANSWERED.has(event.type)) turn.reply({ accepted: false, detail: 'the watchdog is shutting down' });
    return [turn.s, turn.effects];
  }
  const key: EventKey = event.type === 'timer' ? `timer:${event.name}` : event.type;
  const transition = TABLE[state.phase][key] as Transition | undefined;
  transition?.(turn, event);
  return [turn.s, turn.effects];
}

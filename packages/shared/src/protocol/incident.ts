/**
 * Incidents: what the watchdog saw, each rung it tried and how it ended. One line of
 * `state/history.jsonl` is one IncidentEvent; `vigil history` folds them into Incidents.
 */
import { type Static, Type } from '@sinclair/typebox';
import { literalUnion } from '../schema/literal-union.js';
import { INCIDENT_OUTCOMES, RUNGS, SIGNAL_KINDS } from './constants.js';

export const SignalKind = literalUnion(SIGNAL_KINDS);
export type SignalKind = Static<typeof SignalKind>;

export const Rung = literalUnion(RUNGS);
export type Rung = Static<typeof Rung>;

export const IncidentEventKind = Type.Union([
  Type.Literal('opened'),
  Type.Literal('rung'),
  Type.Literal('skipped'),
  Type.Literal('result'),
  Type.Literal('escalated'),
  Type.Literal('evidence'),
  Type.Literal('stopped'),
  Type.Literal('backoff'),
  Type.Literal('started'),
  Type.Literal('failed'),
  Type.Literal('alert'),
  Type.Literal('closed'),
  /** The agent log's last lines when the incident opened, in `logTail`. */
  Type.Literal('log-tail'),
]);
export type IncidentEventKind = Static<typeof IncidentEventKind>;

export const IncidentOutcome = literalUnion(INCIDENT_OUTCOMES);
export type IncidentOutcome = Static<typeof IncidentOutcome>;

export const Evidence = Type.Object({
  /** Path of the Node diagnostic report, when one was written. */
  reportPath: Type.Optional(Type.String()),
  /** Top JS frames of the agent's main thread at the time it hung, innermost first. */
  stack: Type.Optional(Type.Array(Type.String())),
  /** Where the stack came from: the agent's stall sentinel or a diagnostic report. */
  source: Type.Optional(Type.String()),
  /** Process state letter from /proc (R, S, D, T, Z) when the kill was decided. */
  processState: Type.Optional(Type.String()),
  note: Type.Optional(Type.String()),
});
export type Evidence = Static<typeof Evidence>;

export const IncidentEvent = Type.Object({
  v: Type.Literal(1),
  incidentId: Type.String({ minLength: 1 }),
  /** Epoch ms. */
  at: Type.Number(),
  kind: IncidentEventKind,
  signal: Type.Optional(SignalKind),
  rung: Type.Optional(Rung),
  ok: Type.Optional(Type.Boolean()),
  durationMs: Type.Optional(Type.Number()),
  outcome: Type.Optional(IncidentOutcome),
  pid: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
  detail: Type.Optional(Type.String()),
  did: Type.Optional(Type.Array(Type.String())),
  evidence: Type.Optional(Evidence),
  /** The agent log's last lines when the incident opened (log.tailLines). */
  logTail: Type.Optional(Type.Array(Type.String())),
});
export type IncidentEvent = Static<typeof IncidentEvent>;

export const TimelineEntry = Type.Object({
  at: Type.Number(),
  kind: IncidentEventKind,
  rung: Type.Optional(Rung),
  ok: Type.Optional(Type.Boolean()),
  durationMs: Type.Optional(Type.Number()),
  detail: Type.Optional(Type.String()),
  did: Type.Optional(Type.Array(Type.String())),
  pid: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
});
export type TimelineEntry = Static<typeof TimelineEntry>;

export const Incident = Type.Object({
  id: Type.String(),
  signal: SignalKind,
  detail: Type.Optional(Type.String()),
  openedAt: Type.Number(),
  closedAt: Type.Union([Type.Number(), Type.Null()]),
  durationMs: Type.Union([Type.Number(), Type.Null()]),
  outcome: Type.Union([IncidentOutcome, Type.Null()]),
  /** The highest rung taken. */
  rung: Type.Union([Rung, Type.Null()]),
  rungs: Type.Array(Rung),
  evidence: Type.Optional(Evidence),
  /** The agent log's last lines when it opened, oldest first. */
  logTail: Type.Optional(Type.Array(Type.String())),
  timeline: Type.Array(TimelineEntry),
});
export type Incident = Static<typeof Incident>;

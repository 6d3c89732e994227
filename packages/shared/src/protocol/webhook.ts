/**
 * The JSON bodies vigil POSTs to webhooks: a contract receivers can rely on (documented in the
 * README). The watchdog's alert comes when the agent is down or being recovered; the agent's
 * when one of its checks changes state (or many at once: a storm, one POST).
 */
import { type Static, Type } from '@sinclair/typebox';

const Iso = Type.String({ description: 'ISO 8601 time' });

export const WatchdogAlertBody = Type.Object(
  {
    source: Type.Literal('vigil-watchdog'),
    /** `rung` when a recovery rung is taken, `failed` when the crash-loop guard gives up, `recovered` after it. */
    kind: Type.Union([Type.Literal('rung'), Type.Literal('failed'), Type.Literal('recovered')]),
    incidentId: Type.String(),
    /** What was detected: exit, heartbeat-lost, memory, cpu, … */
    signal: Type.String(),
    rung: Type.Optional(Type.Union([Type.Literal('soft'), Type.Literal('medium'), Type.Literal('hard')])),
    detail: Type.String(),
    host: Type.String(),
    at: Iso,
    /** The agent log's last lines when the incident opened (log.tailLines), oldest first, neutralised. */
    logTail: Type.Optional(Type.Array(Type.String({ maxLength: 300 }), { maxItems: 200 })),
  },
  { additionalProperties: false },
);
export type WatchdogAlertBody = Static<typeof WatchdogAlertBody>;

const CheckAlert = Type.Object(
  {
    source: Type.Literal('vigil-agent'),
    host: Type.String(),
    status: Type.Union([Type.Literal('firing'), Type.Literal('resolved')]),
    severity: Type.Union([Type.Literal('warning'), Type.Literal('critical')]),
    check: Type.String(),
    summary: Type.String(),
    labels: Type.Record(Type.String(), Type.String()),
    startsAt: Iso,
    endsAt: Type.Optional(Iso),
  },
  { additionalProperties: false },
);

/** One check's alert, or a storm: many checks at once in one POST, the summary on top. */
export const AgentAlertBody = Type.Union([
  CheckAlert,
  Type.Object(
    {
      source: Type.Literal('vigil-agent'),
      host: Type.String(),
      status: Type.Literal('firing'),
      severity: Type.Union([Type.Literal('warning'), Type.Literal('critical')]),
      storm: Type.Literal(true),
      checks: Type.Array(Type.String()),
      summary: Type.String(),
      labels: Type.Record(Type.String(), Type.String()),
      startsAt: Iso,
      alerts: Type.Array(CheckAlert),
    },
    { additionalProperties: false },
  ),
]);
export type AgentAlertBody = Static<typeof AgentAlertBody>;

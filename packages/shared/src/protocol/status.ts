/**
 * The status object: what `vigil status --json` prints, what the control socket answers and
 * what `run/status.json` holds (DESIGN.md §6). Fields here are a contract for tooling.
 */
import { type Static, Type } from '@sinclair/typebox';
import { literalUnion } from '../schema/literal-union.js';
import { AGENT_STATES } from './constants.js';
import { Incident, Rung, SignalKind } from './incident.js';
import { AgentWarnings, CheckReports, ConfigReport, HealthSummary } from './messages.js';

export const AgentState = literalUnion(AGENT_STATES);
export type AgentState = Static<typeof AgentState>;

export const LaunchMode = Type.Union([Type.Literal('embedded'), Type.Literal('systemd')]);
export type LaunchMode = Static<typeof LaunchMode>;

const NullableInt = Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]);
const NullableNumber = Type.Union([Type.Number({ minimum: 0 }), Type.Null()]);

/** Where the watchdog's running config came from; tells an operator it runs on a fallback. */
export const ConfigOrigin = Type.Object({
  /** `file`: the config file; `defaults`: built-in; `last-good`: the file was refused at start. */
  source: Type.Union([Type.Literal('file'), Type.Literal('defaults'), Type.Literal('last-good')]),
  /** The config file asked for (absent for the built-in defaults). */
  file: Type.Optional(Type.String()),
  /** Why that file was refused. */
  error: Type.Optional(Type.String()),
  /** The last good config the watchdog runs on instead. */
  fallback: Type.Optional(Type.String()),
});
export type ConfigOrigin = Static<typeof ConfigOrigin>;

export const StatusSnapshot = Type.Object({
  v: Type.Literal(1),
  /** Epoch ms when this snapshot was taken; a reader compares it with now to judge staleness. */
  updatedAt: Type.Number(),
  watchdog: Type.Object({
    pid: Type.Integer({ minimum: 1 }),
    version: Type.String(),
    uptimeMs: Type.Integer({ minimum: 0 }),
    mode: LaunchMode,
    startedAt: Type.Number(),
    paused: Type.Boolean(),
    pausedUntil: Type.Union([Type.Number(), Type.Null()]),
    home: Type.Optional(Type.String()),
    config: Type.Optional(ConfigOrigin),
    /** The memory and CPU limits applied to the agent, and which are vigil's defaults. */
    limits: Type.Optional(
      Type.Object(
        {
          maxRssBytes: NullableInt,
          ceilingRssBytes: NullableInt,
          cpuMaxPercent: NullableNumber,
          defaulted: Type.Array(Type.Union([Type.Literal('memory'), Type.Literal('cpu')])),
        },
        { additionalProperties: false },
      ),
    ),
    /** Set in the last status a watchdog writes when it stops: what stopped it and when. */
    stopped: Type.Optional(
      Type.Object(
        { reason: Type.String({ maxLength: 200 }), at: Type.Number() },
        { additionalProperties: false },
      ),
    ),
  }),
  agent: Type.Object({
    state: AgentState,
    pid: Type.Union([Type.Integer({ minimum: 1 }), Type.Null()]),
    uptimeMs: NullableInt,
    lastHeartbeatAgoMs: NullableInt,
    restarts: Type.Integer({ minimum: 0 }),
    rssBytes: NullableInt,
    cpuPercent: NullableNumber,
    eventLoopLagMs: NullableNumber,
    /** The longest gap between two heartbeats since the watchdog started. */
    worstHeartbeatGapMs: Type.Optional(NullableInt),
    health: Type.Union([HealthSummary, Type.Null()]),
    version: Type.Union([Type.String(), Type.Null()]),
    /** The service's name from its hello (`createAgent({ name })`; `vigil-agent` for the bundled one). */
    name: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    /** The agent's own config: what it runs, and its last refused change until a good one applies. */
    config: Type.Optional(Type.Union([ConfigReport, Type.Null()])),
    /** What the agent reported it cannot do (e.g. serve metrics: the port is taken); empty when all is well. */
    warnings: Type.Optional(AgentWarnings),
    adopted: Type.Boolean(),
    startedAt: Type.Union([Type.Number(), Type.Null()]),
  }),
  recovery: Type.Object({
    rung: Type.Union([Type.Literal('none'), Rung]),
    incidentId: Type.Union([Type.String(), Type.Null()]),
    signal: Type.Union([SignalKind, Type.Null()]),
    /** Time left before the next restart attempt, while backing off or probing. */
    backoffMs: NullableInt,
    nextRetryAt: Type.Union([Type.Number(), Type.Null()]),
    restartsInWindow: Type.Integer({ minimum: 0 }),
  }),
  incidents: Type.Array(Incident),
  /** Each check by name, as the agent last reported it (absent before its first report). */
  checks: Type.Optional(CheckReports),
});
export type StatusSnapshot = Static<typeof StatusSnapshot>;

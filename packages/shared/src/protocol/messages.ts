/**
 * The heartbeat protocol between the agent and the watchdog (DESIGN.md §2).
 *
 * Schemas are written once, with TypeBox: each builder call yields a plain JSON Schema object
 * that ajv compiles, and `Static<>` derives the TypeScript type from the same object. TypeBox
 * was picked over ajv's JSONSchemaType (which needs the type written a second time by hand) and
 * json-schema-to-ts (whose type-level parsing hits instantiation-depth limits on a schema the
 * size of the config file).
 */
import { type Static, Type } from '@sinclair/typebox';
import { literalUnion } from '../schema/literal-union.js';
import {
  AGENT_LIFECYCLES,
  FAULT_NAMES,
  MAX_CHECK_SUMMARY_CHARS,
  MAX_REPORTED_CHECKS,
  MAX_WARNING_CHARS,
  MAX_WARNINGS,
  PROTOCOL_VERSION,
} from './constants.js';

const Version = Type.Literal(PROTOCOL_VERSION);
const Id = Type.String({ minLength: 1, maxLength: 64 });
const Count = Type.Integer({ minimum: 0 });
const Millis = Type.Number({ minimum: 0 });
const ShortText = Type.String({ maxLength: 512 });

export const HealthStatus = Type.Union([
  Type.Literal('ok'),
  Type.Literal('warn'),
  Type.Literal('failing'),
  Type.Literal('degraded'),
]);
export type HealthStatus = Static<typeof HealthStatus>;

export const HealthSummary = Type.Object(
  {
    status: HealthStatus,
    summary: Type.Optional(ShortText),
    checks: Type.Optional(
      Type.Object(
        {
          total: Count,
          ok: Count,
          warn: Count,
          critical: Count,
          paused: Type.Optional(Count),
        },
        { additionalProperties: false },
      ),
    ),
    /** Names of the checks that are not ok, worst first. */
    failing: Type.Optional(Type.Array(Type.String({ maxLength: 128 }), { maxItems: 64 })),
  },
  { additionalProperties: false },
);
export type HealthSummary = Static<typeof HealthSummary>;

export const HelloMessage = Type.Object(
  {
    v: Version,
    type: Type.Literal('hello'),
    pid: Type.Integer({ minimum: 1 }),
    version: Type.String({ minLength: 1, maxLength: 64 }),
    /** Process start, epoch ms. */
    startTime: Type.Integer({ minimum: 0 }),
    name: Type.Optional(Type.String({ maxLength: 128 })),
    node: Type.Optional(Type.String({ maxLength: 32 })),
    /** Where the agent's stall sentinel writes evidence of a blocked event loop. */
    stallFile: Type.Optional(Type.String({ maxLength: 4096 })),
  },
  { additionalProperties: false },
);
export type HelloMessage = Static<typeof HelloMessage>;

export const WelcomeMessage = Type.Object(
  {
    v: Version,
    type: Type.Literal('welcome'),
    accepted: Type.Boolean(),
    reason: Type.Optional(ShortText),
    watchdogPid: Type.Integer({ minimum: 1 }),
    heartbeatIntervalMs: Type.Integer({ minimum: 10 }),
  },
  { additionalProperties: false },
);
export type WelcomeMessage = Static<typeof WelcomeMessage>;

/**
 * What config the agent runs and whether its last change was refused: sent in the first beat of
 * a session and whenever it changes, so `vigil status` can say "last change rejected".
 */
export const ConfigReport = Type.Object(
  {
    /** The file it runs, the fallback it fell back to, or null for the built-in defaults. */
    source: Type.Union([Type.String({ maxLength: 4096 }), Type.Null()]),
    /** Epoch ms when the running config was applied. */
    appliedAt: Type.Number({ minimum: 0 }),
    rejected: Type.Optional(
      Type.Object(
        {
          at: Type.Number({ minimum: 0 }),
          file: Type.Union([Type.String({ maxLength: 4096 }), Type.Null()]),
          /** `path: problem` lines, the first few. */
          problems: Type.Array(Type.String({ maxLength: 500 }), { maxItems: 10 }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type ConfigReport = Static<typeof ConfigReport>;

/**
 * What the agent wants an operator to see that is not a check (its metrics port was taken):
 * sent like the config report, in a session's first beat and on change; an empty list clears.
 */
export const AgentWarnings = Type.Array(Type.String({ maxLength: MAX_WARNING_CHARS }), {
  maxItems: MAX_WARNINGS,
});
export type AgentWarnings = Static<typeof AgentWarnings>;

/** One check as the agent reports it: what `vigil status` lists per check. */
export const CheckReport = Type.Object(
  {
    type: Type.String({ maxLength: 64 }),
    status: Type.Union([Type.Literal('ok'), Type.Literal('warn'), Type.Literal('critical')]),
    paused: Type.Boolean(),
    summary: Type.String({ maxLength: MAX_CHECK_SUMMARY_CHARS }),
    value: Type.Optional(Type.Number()),
    unit: Type.Optional(Type.String({ maxLength: 16 })),
    /** When the status last changed, epoch ms. */
    since: Type.Number({ minimum: 0 }),
    /** When the last run finished, epoch ms; null before the first. */
    lastRunAt: Type.Union([Type.Number({ minimum: 0 }), Type.Null()]),
    lastRunMs: Type.Union([Millis, Type.Null()]),
  },
  { additionalProperties: false },
);
export type CheckReport = Static<typeof CheckReport>;

/** The checks by name, sent in a session's first beat and whenever one of them changes. */
export const CheckReports = Type.Record(Type.String({ maxLength: 128 }), CheckReport, {
  maxProperties: MAX_REPORTED_CHECKS,
  propertyNames: { maxLength: 128 },
});
export type CheckReports = Static<typeof CheckReports>;

export const AgentLifecycle = literalUnion(AGENT_LIFECYCLES);
export type AgentLifecycle = Static<typeof AgentLifecycle>;

export const HeartbeatMessage = Type.Object(
  {
    v: Version,
    type: Type.Literal('heartbeat'),
    seq: Count,
    /** When the beat was sent: the host's CLOCK_MONOTONIC in ms (the same clock in every process). */
    mono: Millis,
    /** Event-loop delay, p99 over the last interval, ms. */
    lagMs: Millis,
    heapUsedBytes: Count,
    rssBytes: Count,
    /** Grows whenever the agent finishes a unit of work: "busy but moving" versus "stuck". */
    progress: Count,
    health: HealthSummary,
    state: Type.Optional(AgentLifecycle),
    config: Type.Optional(ConfigReport),
    warnings: Type.Optional(AgentWarnings),
    checks: Type.Optional(CheckReports),
  },
  { additionalProperties: false },
);
export type HeartbeatMessage = Static<typeof HeartbeatMessage>;

export const RecoverLevel = Type.Union([Type.Literal('soft'), Type.Literal('medium')]);
export type RecoverLevel = Static<typeof RecoverLevel>;

export const FaultName = literalUnion(FAULT_NAMES);
export type FaultName = Static<typeof FaultName>;

export const FaultSpec = Type.Object(
  {
    name: FaultName,
    /** How long the fault lasts; absent means until cleared (or forever, for hang). */
    seconds: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 86_400 })),
    /** leak: growth rate. */
    mbPerSec: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 4096 })),
    /** crash: the exit code. */
    exitCode: Type.Optional(Type.Integer({ minimum: 0, maximum: 255 })),
    /** slow-heartbeat: the interval to stretch heartbeats to. */
    intervalMs: Type.Optional(Type.Integer({ minimum: 1, maximum: 600_000 })),
  },
  { additionalProperties: false },
);
export type FaultSpec = Static<typeof FaultSpec>;

export const RecoverCommand = Type.Object(
  {
    v: Version,
    type: Type.Literal('command'),
    id: Id,
    cmd: Type.Literal('recover'),
    level: RecoverLevel,
    reason: Type.Optional(ShortText),
  },
  { additionalProperties: false },
);

export const RestoreCommand = Type.Object(
  { v: Version, type: Type.Literal('command'), id: Id, cmd: Type.Literal('restore') },
  { additionalProperties: false },
);

export const PingCommand = Type.Object(
  { v: Version, type: Type.Literal('command'), id: Id, cmd: Type.Literal('ping') },
  { additionalProperties: false },
);

export const FaultCommand = Type.Object(
  { v: Version, type: Type.Literal('command'), id: Id, cmd: Type.Literal('fault'), fault: FaultSpec },
  { additionalProperties: false },
);

/** Maintenance window: the agent silences alerts and remediation until `untilMs` (epoch), 0 ends it. */
export const MaintenanceCommand = Type.Object(
  {
    v: Version,
    type: Type.Literal('command'),
    id: Id,
    cmd: Type.Literal('maintenance'),
    untilMs: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);

export type RecoverCommand = Static<typeof RecoverCommand>;
export type RestoreCommand = Static<typeof RestoreCommand>;
export type PingCommand = Static<typeof PingCommand>;
export type FaultCommand = Static<typeof FaultCommand>;
export type MaintenanceCommand = Static<typeof MaintenanceCommand>;
export type CommandMessage =
  | RecoverCommand
  | RestoreCommand
  | PingCommand
  | FaultCommand
  | MaintenanceCommand;

export const ResultMessage = Type.Object(
  {
    v: Version,
    type: Type.Literal('result'),
    id: Id,
    ok: Type.Boolean(),
    /** What the agent did, one short line per action ("gc: freed 12.3 MiB"). */
    did: Type.Array(ShortText, { maxItems: 64 }),
    durationMs: Millis,
    error: Type.Optional(ShortText),
  },
  { additionalProperties: false },
);
export type ResultMessage = Static<typeof ResultMessage>;

/** Messages the agent sends to the watchdog. */
export type AgentMessage = HelloMessage | HeartbeatMessage | ResultMessage;
/** Messages the watchdog sends to the agent. */
export type WatchdogMessage = WelcomeMessage | CommandMessage;

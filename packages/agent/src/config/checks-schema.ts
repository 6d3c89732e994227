/**
 * The agent's health checks (`agent.checks`): fields every check shares, then one shape per
 * `type`, joined by an ajv discriminator so an error names the field of the right shape. Build
 * time and tests only (it loads TypeBox): the agent validates with the code generated from
 * `FullConfigSchema` (scripts/generate-validators.ts → src/generated/config.ts).
 */
import { type Static, type TObject, type TProperties, Type } from '@sinclair/typebox';
import { configSchema } from '@vigil/shared/schemas';

const Ms = (defaultMs: number, minimum = 1) =>
  Type.Integer({ minimum, maximum: 86_400_000, default: defaultMs });
const Percent = (defaultValue: number) => Type.Number({ minimum: 0, maximum: 100, default: defaultValue });
const Command = Type.Array(Type.String({ minLength: 1 }), { minItems: 1 });

export const CheckName = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$' });

export const RemediationSchema = Type.Object(
  {
    /** Program and arguments; run without a shell, so no config value is ever interpolated. */
    command: Command,
    retries: Type.Integer({ minimum: 0, maximum: 10, default: 2 }),
    timeoutMs: Ms(30_000, 100),
    breaker: Type.Object(
      {
        /** Consecutive failed runs that open the breaker. */
        failures: Type.Integer({ minimum: 1, maximum: 100, default: 3 }),
        /** How long it stays open before one trial run (half-open). */
        resetMs: Ms(300_000, 100),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false },
);
export type RemediationConfig = Static<typeof RemediationSchema>;

const common = {
  name: CheckName,
  intervalMs: Ms(30_000, 100),
  timeoutMs: Ms(10_000, 10),
  /** Critical checks keep running when the agent degrades (the medium rung). */
  critical: Type.Boolean({ default: false }),
  /** Consecutive bad results before the check changes state; the same count to clear. */
  failAfter: Type.Integer({ minimum: 1, maximum: 100, default: 2 }),
  recoverAfter: Type.Integer({ minimum: 1, maximum: 100, default: 2 }),
  labels: Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), Type.String(), {
    default: {},
  }),
  alert: Type.Boolean({ default: true }),
  /**
   * A critical result means the agent itself is unhealthy (it reports "failing" and the watchdog
   * climbs the recovery ladder). Off for host checks: a full disk is alerted and remediated,
   * never "fixed" by restarting the agent.
   */
  affectsHealth: Type.Boolean({ default: false }),
  remediate: Type.Optional(RemediationSchema),
} satisfies TProperties;

function check<T extends string, P extends TProperties>(type: T, props: P) {
  return Type.Object({ type: Type.Literal(type), ...common, ...props }, { additionalProperties: false });
}

export const DiskCheck = check('disk', {
  path: Type.String({ minLength: 1, default: '/' }),
  warnPercent: Percent(85),
  criticalPercent: Percent(95),
});
export const MemoryCheck = check('memory', {
  warnPercent: Percent(90),
  criticalPercent: Percent(97),
});
export const LoadCheck = check('load', {
  /** Load average divided by the number of CPUs. */
  warnPerCpu: Type.Number({ exclusiveMinimum: 0, default: 2 }),
  criticalPerCpu: Type.Number({ exclusiveMinimum: 0, default: 4 }),
  window: Type.Union([Type.Literal(1), Type.Literal(5), Type.Literal(15)], { default: 5 }),
});
export const ProcessCheck = check('process', {
  /** Exact process name (comm), or a regular expression over the full command line. */
  processName: Type.Optional(Type.String({ minLength: 1 })),
  commandMatch: Type.Optional(Type.String({ minLength: 1 })),
  minCount: Type.Integer({ minimum: 0, default: 1 }),
  maxCount: Type.Optional(Type.Integer({ minimum: 0 })),
});
export const TcpCheck = check('tcp', {
  host: Type.String({ minLength: 1, default: '127.0.0.1' }),
  port: Type.Integer({ minimum: 1, maximum: 65_535 }),
});
export const HttpCheck = check('http', {
  url: Type.String({ pattern: '^https?://' }),
  method: Type.Union([Type.Literal('GET'), Type.Literal('HEAD')], { default: 'GET' }),
  /** Accepted status codes; absent means any 2xx or 3xx. */
  expectStatus: Type.Optional(Type.Array(Type.Integer({ minimum: 100, maximum: 599 }), { minItems: 1 })),
  bodyMatch: Type.Optional(Type.String({ minLength: 1 })),
  warnLatencyMs: Type.Optional(Type.Integer({ minimum: 1 })),
  criticalLatencyMs: Type.Optional(Type.Integer({ minimum: 1 })),
});
export const CommandCheck = check('command', {
  command: Command,
  expectExit: Type.Integer({ minimum: 0, maximum: 255, default: 0 }),
  /** Exit code that means "warn" rather than "critical" (Nagios plugins use 1). */
  warnExit: Type.Optional(Type.Integer({ minimum: 0, maximum: 255 })),
});
export const FileCheck = check('file', {
  path: Type.String({ minLength: 1 }),
});
export const SystemdCheck = check('systemd', {
  unit: Type.String({ minLength: 1, pattern: '^[A-Za-z0-9:_.@\\\\-]+$' }),
});

const checkShapes = [
  DiskCheck,
  MemoryCheck,
  LoadCheck,
  ProcessCheck,
  TcpCheck,
  HttpCheck,
  CommandCheck,
  FileCheck,
  SystemdCheck,
] as const;

export type CheckConfig = Static<(typeof checkShapes)[number]>;
export type CheckType = CheckConfig['type'];
export const CHECK_TYPES = checkShapes.map(
  (shape: TObject) => (shape.properties.type as unknown as { const: string }).const,
) as CheckType[];

/** One of the shapes above, chosen by `type` (ajv's discriminator keeps errors to that shape). */
export const CheckSchema = Type.Unsafe<CheckConfig>({
  type: 'object',
  properties: { type: { type: 'string' } },
  required: ['type'],
  discriminator: { propertyName: 'type' },
  oneOf: [...checkShapes],
});

export const DEFAULT_CHECKS = [
  { type: 'disk', name: 'disk-root', path: '/', intervalMs: 30_000, critical: true },
  { type: 'memory', name: 'memory', intervalMs: 15_000 },
  { type: 'load', name: 'load', intervalMs: 15_000 },
];

/** The whole config file with these checks: what src/generated/config.ts is generated from. */
export const FullConfigSchema = configSchema(CheckSchema, DEFAULT_CHECKS);

/**
 * The whole config file (DESIGN.md §6) as one schema that also holds the defaults: loading
 * `{}` yields the built-in config. Keys named in DESIGN.md are a contract; new keys may be
 * added, those never renamed. The shape of each `agent.checks` entry is the agent's
 * (@vigil/agent's check schemas): here a check is whatever `configSchema` is given, and the
 * watchdog's own schema takes them as they are, since it never reads them.
 */
import { type Static, type TSchema, Type } from '@sinclair/typebox';

const Ms = (defaultMs: number, minimum = 1, maximum = 86_400_000) =>
  Type.Integer({ minimum, maximum, default: defaultMs });
const Bytes = Type.Integer({ minimum: 1024 * 1024 });
const Command = Type.Array(Type.String({ minLength: 1 }), { minItems: 1 });
const HttpUrl = Type.String({ pattern: '^https?://[^\\s]+$' });
const section = <T extends Parameters<typeof Type.Object>[0]>(props: T) =>
  Type.Object(props, { additionalProperties: false, default: {} });

export const WatchdogConfigSchema = section({
  heartbeat: section({
    /** How often the agent sends a heartbeat. */
    intervalMs: Ms(250, 10, 60_000),
    /** No heartbeat for this long: the agent is unresponsive (stretched under host pressure). */
    timeoutMs: Ms(1500, 20, 600_000),
  }),
  startup: section({
    /** Time from spawn to the agent's hello before the start counts as failed. */
    graceMs: Ms(10_000, 100),
  }),
  resources: section({
    sampleIntervalMs: Ms(250, 50, 60_000),
    /**
     * The bundled agent gets vigil's default limits (see the README) where none are set here;
     * false: only what is set here applies. A custom agent.command never gets defaults.
     */
    bundledDefaults: Type.Boolean({ default: true }),
    memory: section({
      /** RSS of the agent and its descendants; above it for forSamples samples starts the ladder. */
      maxRssBytes: Type.Optional(Bytes),
      /** Above this on any one sample: straight to hard, like systemd's MemoryMax. */
      ceilingRssBytes: Type.Optional(Bytes),
      forSamples: Type.Integer({ minimum: 1, maximum: 1000, default: 3 }),
    }),
    cpu: section({
      /** Percent of one core (100 = one full core), agent and descendants. */
      maxPercent: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 100_000 })),
      forSamples: Type.Integer({ minimum: 1, maximum: 10_000, default: 20 }),
    }),
  }),
  selfReport: section({
    /** Event-loop lag reported by the agent above this starts the ladder. */
    maxLagMs: Ms(2000, 1),
    /** Consecutive heartbeats reporting `failing` before it counts. */
    failingForBeats: Type.Integer({ minimum: 1, maximum: 1000, default: 2 }),
  }),
  pressure: section({
    /** Stretch heartbeat deadlines when /proc/pressure or the load says the host is starved. */
    enabled: Type.Boolean({ default: true }),
    /** The most a deadline may be stretched, as a multiple of timeoutMs. */
    maxStretch: Type.Number({ minimum: 1, maximum: 20, default: 4 }),
  }),
  recovery: section({
    soft: section({ verifyMs: Ms(2000) }),
    medium: section({ verifyMs: Ms(3000) }),
    hard: section({
      /** SIGTERM to SIGKILL, for an agent that still answers. */
      stopTimeoutMs: Ms(3000),
      /** SIGTERM to SIGKILL for an agent that stopped answering: its loop cannot run a handler. */
      unresponsiveStopTimeoutMs: Ms(250, 0),
      /** The longest wait for a diagnostic report before a hard kill. */
      evidenceTimeoutMs: Ms(1000, 0, 10_000),
    }),
    backoff: section({
      initialMs: Ms(500),
      maxMs: Ms(30_000),
      /** Each delay is shortened by up to this fraction, at random, so restarts do not align. */
      jitter: Type.Number({ minimum: 0, maximum: 1, default: 0.25 }),
      /** Healthy this long: the next failure restarts at once again. */
      resetAfterMs: Ms(30_000),
    }),
    intensity: section({
      maxRestarts: Type.Integer({ minimum: 1, maximum: 10_000, default: 5 }),
      withinMs: Ms(60_000),
    }),
    /** Restarts operators may ask for (`vigil recover hard`), apart from the intensity. */
    operator: section({
      maxRestarts: Type.Integer({ minimum: 1, maximum: 10_000, default: 3 }),
      withinMs: Ms(60_000),
    }),
    /** Once failed, how often to try one more start. */
    probeMs: Ms(180_000, 1000),
  }),
  alert: section({
    /** Program and arguments run on each rung and on failure; the event is JSON on stdin. */
    command: Type.Optional(Command),
    webhook: Type.Optional(HttpUrl),
    timeoutMs: Ms(5000, 100, 120_000),
  }),
  history: section({
    /** history.jsonl is rotated past this size. */
    maxBytes: Type.Integer({ minimum: 4096, default: 1024 * 1024 }),
    keep: Type.Integer({ minimum: 1, maximum: 100, default: 3 }),
  }),
  /**
   * Where to write the node_exporter textfile-collector file (written atomically); absent means
   * `vigil.prom` in the state directory. Point it into node_exporter's --collector.textfile.directory.
   */
  metricsTextfile: Type.Optional(Type.String({ minLength: 1, pattern: '\\.prom$' })),
  /** How the agent is run: auto picks systemd when the watchdog itself runs under systemd. */
  launcher: Type.Union([Type.Literal('auto'), Type.Literal('embedded'), Type.Literal('systemd')], {
    default: 'auto',
  }),
  systemd: section({
    agentUnit: Type.String({ pattern: '^[A-Za-z0-9:_.@-]+\\.service$', default: 'vigil-agent.service' }),
  }),
});

/** The `agent` section, with `check` as the shape of each of `agent.checks`. */
export const agentConfigSchema = <C extends TSchema>(check: C, defaultChecks: readonly unknown[]) =>
  section({
    /** Program and arguments of the agent; absent means the bundled vigil-agent. */
    command: Type.Optional(Command),
    /** Extra environment for the agent process. */
    env: Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), Type.String(), {
      default: {},
      additionalProperties: false,
    }),
    faults: section({ enabled: Type.Boolean({ default: false }) }),
    metrics: section({
      enabled: Type.Boolean({ default: true }),
      /** host:port; loopback by default, port 0 picks a free port. */
      listen: Type.String({
        pattern: '^(\\[[0-9a-fA-F:]+\\]|[A-Za-z0-9.-]+):\\d{1,5}$',
        default: '127.0.0.1:9464',
      }),
    }),
    checks: Type.Array(check, { default: [...defaultChecks], maxItems: 500 }),
    alerts: section({
      webhook: Type.Optional(HttpUrl),
      alertmanager: Type.Optional(
        Type.Object(
          {
            /** Base URL, e.g. http://127.0.0.1:9093 (the v2 API path is added). */
            url: HttpUrl,
            labels: Type.Record(Type.String(), Type.String(), { default: {} }),
          },
          { additionalProperties: false },
        ),
      ),
      /** The same alert is not sent again within this window. */
      throttleMs: Ms(300_000, 0),
      /** At least this many checks failing together are sent as one summary alert. */
      summaryAfter: Type.Integer({ minimum: 2, maximum: 1000, default: 3 }),
    }),
    recovery: section({
      medium: section({
        /** After the medium rung, the agent restores itself once healthy for this long. */
        restoreAfterMs: Ms(60_000, 100),
      }),
    }),
    /** Graceful shutdown budget on SIGTERM. */
    stopTimeoutMs: Ms(2500, 100),
  });

/** The log files in embedded mode (under systemd both processes log to the journal). */
export const LogConfigSchema = section({
  /** watchdog.log and agent.log are each rotated when they pass this size (bytes). */
  maxBytes: Type.Integer({ minimum: 4096, maximum: 2 ** 40, default: 10 * 1024 * 1024 }),
  /** Rotated files kept per log (`.1` newest … `.keep` oldest). */
  keep: Type.Integer({ minimum: 1, maximum: 100, default: 5 }),
  /** The agent log's last lines an alert and an incident carry (embedded mode); 0: none. */
  tailLines: Type.Integer({ minimum: 0, maximum: 200, default: 20 }),
});

/** The whole file, with `check` as the shape of each agent check and `defaultChecks` as their default. */
export const configSchema = <C extends TSchema>(check: C, defaultChecks: readonly unknown[]) =>
  Type.Object(
    {
      watchdog: WatchdogConfigSchema,
      agent: agentConfigSchema(check, defaultChecks),
      log: LogConfigSchema,
    },
    { additionalProperties: false },
  );

/** The file as the watchdog reads it: every check is the agent's to judge, so any value passes here. */
export const ConfigSchema = configSchema(Type.Unknown(), []);

export type VigilConfig = Static<typeof ConfigSchema>;
export type WatchdogConfig = VigilConfig['watchdog'];
export type AgentConfig = VigilConfig['agent'];
export type LogConfig = VigilConfig['log'];

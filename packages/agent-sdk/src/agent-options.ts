/**
 * The options of createAgent and where each default comes from: an explicit option wins, then
 * the environment the watchdog sets for its agent, then a built-in value.
 */
import { createLogger, type Logger, resolvePaths } from '@vigil/shared';
import { sdkErrors } from './errors.js';
import { SDK_VERSION } from './version.js';

export interface CreateAgentOptions {
  /** Default: VIGIL_AGENT_SOCKET, else the embedded-mode path under VIGIL_HOME. */
  socketPath?: string;
  /** Sent in hello, shown by `vigil status`. */
  name?: string;
  /** Sent in hello; default: the @vigil/agent version. */
  version?: string;
  /** Default: VIGIL_HEARTBEAT_MS, else 250; the watchdog's welcome overrides it. */
  heartbeatIntervalMs?: number;
  /** Default: VIGIL_FAULTS === '1'. */
  faultsEnabled?: boolean;
  /** Where the stall sentinel writes; default VIGIL_REPORT_DIR. No directory, no sentinel. */
  reportDir?: string;
  /** How long the event loop may stand still before the sentinel records a stall; default VIGIL_STALL_MS, else 1000. */
  stallMs?: number;
  /** The longest a recover, restore or maintenance command may take; default 10 s. */
  commandTimeoutMs?: number;
  /** After a medium recovery, restore by itself once no recover command came for this long; default never. */
  restoreAfterMs?: number;
  /** Default: JSON lines on stdout, component "agent". */
  logger?: Logger;
  /** Read instead of process.env (tests). */
  env?: NodeJS.ProcessEnv;
}

export interface ResolvedAgentOptions {
  socketPath: string;
  name: string | undefined;
  version: string;
  heartbeatIntervalMs: number;
  faultsEnabled: boolean;
  reportDir: string | undefined;
  stallMs: number;
  commandTimeoutMs: number;
  restoreAfterMs: number | undefined;
  logger: Logger;
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) {
    throw sdkErrors.create(
      'VIGIL_SDK_OPTION_INVALID',
      `createAgent: ${name} must be a positive number of milliseconds, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** A number from the environment; anything unusable falls back, as a daemon must still start. */
function fromEnv(raw: string | undefined, fallback: number): number {
  const value = Number(raw);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

export function resolveAgentOptions(options: CreateAgentOptions = {}): ResolvedAgentOptions {
  const env = options.env ?? process.env;
  const version = options.version ?? SDK_VERSION;
  if (version.length === 0 || version.length > 64) {
    throw sdkErrors.create(
      'VIGIL_SDK_OPTION_INVALID',
      `createAgent: version must be 1 to 64 characters, got ${JSON.stringify(version)}`,
    );
  }
  if (options.name !== undefined && options.name.length > 128) {
    throw sdkErrors.create('VIGIL_SDK_OPTION_INVALID', 'createAgent: name must be at most 128 characters');
  }
  return {
    socketPath: options.socketPath ?? (env.VIGIL_AGENT_SOCKET || resolvePaths({ env }).agentSocket),
    name: options.name,
    version,
    heartbeatIntervalMs: positive(
      'heartbeatIntervalMs',
      options.heartbeatIntervalMs,
      fromEnv(env.VIGIL_HEARTBEAT_MS, 250),
    ),
    faultsEnabled: options.faultsEnabled ?? env.VIGIL_FAULTS === '1',
    reportDir: options.reportDir ?? (env.VIGIL_REPORT_DIR || undefined),
    stallMs: positive('stallMs', options.stallMs, fromEnv(env.VIGIL_STALL_MS, 1000)),
    commandTimeoutMs: positive('commandTimeoutMs', options.commandTimeoutMs, 10_000),
    restoreAfterMs:
      options.restoreAfterMs === undefined
        ? undefined
        : positive('restoreAfterMs', options.restoreAfterMs, 0),
    logger: options.logger ?? createLogger({ component: 'agent' }),
  };
}

/**
 * What the agent is started with: its command line (the bundled vigil-agent unless the config
 * names another) and its environment, which tells the agent where the watchdog is. Arguments
 * are an array handed to the kernel as they are: no shell ever sees a config value.
 */
import { randomUUID } from 'node:crypto';
import type { VigilPaths } from '@vigil/shared';
import type { VigilConfig } from '@vigil/shared/config';
import { watchdogErrors } from '../errors.js';
import { INSTANCE_ENV } from '../process/descendants.js';
import { BUNDLED_AGENT_NODE_FLAGS } from './daemon-node-flags.js';

/** `bundledAgent`: the vigil-agent program to run when the config names none (null: not installed). */
export function agentCommand(config: VigilConfig, bundledAgent: string | null): string[] {
  if (config.agent.command) return [...config.agent.command];
  if (bundledAgent === null) {
    throw watchdogErrors.create(
      'VIGIL_AGENT_START_FAILED',
      'there is no agent to run: agent.command is not set and the bundled vigil-agent is not installed next to the watchdog',
      {
        hint: 'Install @vigil/agent beside @vigil/watchdog (the vigil CLI brings both), or set agent.command in the config.',
      },
    );
  }
  return [process.execPath, ...BUNDLED_AGENT_NODE_FLAGS, bundledAgent];
}

function quoteForNodeOptions(value: string): string {
  return /[\s"\\]/.test(value) ? `"${value.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"` : value;
}

export interface AgentEnvOptions {
  config: VigilConfig;
  configFile: string | null;
  paths: VigilPaths;
  base?: NodeJS.ProcessEnv;
}

/** The agent's environment and the token that marks this start. */
export function agentEnvironment(options: AgentEnvOptions): {
  env: Record<string, string>;
  instance: string;
} {
  const { config, paths } = options;
  const instance = randomUUID();
  const base = options.base ?? process.env;
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(base)) if (value !== undefined) env[key] = value;
  // Diagnostic reports on SIGUSR2, written where the watchdog looks for evidence before a kill.
  const report = `--report-on-signal --report-directory=${quoteForNodeOptions(paths.reportDir)}`;
  Object.assign(env, config.agent.env, {
    VIGIL_AGENT_SOCKET: paths.agentSocket,
    VIGIL_HEARTBEAT_MS: String(config.watchdog.heartbeat.intervalMs),
    // The stall sentinel records the stack at half the heartbeat timeout, so the evidence is on
    // disk before the watchdog declares the heartbeat lost and needs it.
    VIGIL_STALL_MS: String(Math.max(100, Math.floor(config.watchdog.heartbeat.timeoutMs / 2))),
    VIGIL_FAULTS: config.agent.faults.enabled ? '1' : '0',
    VIGIL_REPORT_DIR: paths.reportDir,
    VIGIL_MODE: paths.mode,
    [INSTANCE_ENV]: instance,
    NODE_OPTIONS: env.NODE_OPTIONS ? `${env.NODE_OPTIONS} ${report}` : report,
  });
  if (paths.home) env.VIGIL_HOME = paths.home;
  if (options.configFile) env.VIGIL_CONFIG = options.configFile;
  return { env, instance };
}

/** Picks the launcher: `auto` means systemd when the watchdog itself runs under systemd. */
import type { Logger, VigilPaths } from '@vigil/shared';
import type { VigilConfig } from '@vigil/shared/config';
import { agentCommand, agentEnvironment } from './agent-command.js';
import { EmbeddedLauncher } from './embedded-launcher.js';
import type { AgentLauncher } from './launcher.js';
import { SystemdLauncher } from './systemd-launcher.js';

export function chooseLauncher(
  config: VigilConfig,
  configFile: string | null,
  paths: VigilPaths,
  bundledAgent: string | null,
  logger?: Logger,
): AgentLauncher {
  const wanted = config.watchdog.launcher === 'auto' ? paths.mode : config.watchdog.launcher;
  if (wanted === 'systemd') return new SystemdLauncher({ unit: config.watchdog.systemd.agentUnit });
  // Worked out once, so a watchdog with no agent to run refuses to start rather than retrying.
  const command = agentCommand(config, bundledAgent);
  return new EmbeddedLauncher({
    command: () => command,
    environment: () => agentEnvironment({ config, configFile, paths }),
    logFile: paths.agentLog,
    logger,
  });
}

/**
 * What a config sets that the agent unit does not use. Under systemd the agent is
 * vigil-agent.service: `vigil install` wrote its ExecStart (the bundled vigil-agent) and its
 * environment, and the watchdog only restarts the unit, so agent.command and agent.env are never
 * read. They are not honoured by rewriting the unit: that would change a root-owned unit behind
 * the operator whenever the file changes, and its sandbox is written for the bundled agent. So
 * `vigil install` and `vigil config validate` say so, with the way to do it under systemd.
 */

import type { VigilConfig } from '@vigil/shared/config';
import type { LaunchMode } from '@vigil/shared/core';
import { AGENT_UNIT, CONFIG_DIR } from './units.js';

/** Whether the watchdog starts the agent through its systemd unit with this config in this mode. */
export function agentRunsAsUnit(config: VigilConfig, mode: LaunchMode): boolean {
  const launcher = config.watchdog.launcher;
  return launcher === 'systemd' || (launcher === 'auto' && mode === 'systemd');
}

/** One warning per key the config sets and the agent unit ignores; empty when there is none. */
export function keysTheAgentUnitIgnores(config: VigilConfig): string[] {
  const unit = config.watchdog.systemd.agentUnit || AGENT_UNIT;
  const warnings: string[] = [];
  if (config.agent.command) {
    warnings.push(
      `agent.command is ignored under systemd: ${unit} runs the bundled vigil-agent. To run your agent there, \`systemctl edit ${unit}\` and set ExecStart= (an empty line, then your command); or run the pair embedded with \`vigil run\`, which honours agent.command`,
    );
  }
  const env = Object.keys(config.agent.env);
  if (env.length > 0) {
    warnings.push(
      `agent.env is ignored under systemd (${env.slice(0, 3).join(', ')}${env.length > 3 ? ', …' : ''}): put the variables in ${CONFIG_DIR}/agent.env, which ${unit} reads, or set them with \`systemctl edit ${unit}\``,
    );
  }
  return warnings;
}

/**
 * `vigil config validate [FILE]`: the same parsing and validation the watchdog does at start
 * and the agent does on every live reload, without touching the running pair.
 */

import { type FullConfig, loadConfigFile } from '@vigil/agent/config';
import { isVigilError, type LaunchMode, printable } from '@vigil/shared/core';
import { cliPaths } from '../client.js';
import { didYouMean } from '../did-you-mean.js';
import { CliExit, EXIT } from '../exit-codes.js';
import { paint, pluralize, useColor } from '../format.js';
import { agentRunsAsUnit, keysTheAgentUnitIgnores } from '../systemd/unit-ignored-keys.js';

export const help = `Usage: vigil config validate [FILE]

Checks a config file (YAML, or JSON by extension) against the schema and the cross-field rules,
and prints every problem as "path: problem". Without FILE: $VIGIL_CONFIG, else
$VIGIL_HOME/vigil.yaml (embedded) or /etc/vigil/vigil.yaml (systemd).

A valid file is summed up: the heartbeat, which agent runs and the checks it runs. It also says
what the file sets that will not be used: agent.checks with agent.command (the checks are the
bundled vigil-agent's), and agent.command or agent.env under systemd (the agent unit runs the
bundled vigil-agent; a warning when VIGIL_MODE=systemd, a note otherwise).

Exit codes: 0 valid, 1 invalid (each problem printed), 64 usage.`;

export async function config(positionals: string[]): Promise<number> {
  const [action, file, ...extra] = positionals;
  if (action !== 'validate' || extra.length) {
    const guess = action && action !== 'validate' ? didYouMean(action, ['validate']) : '';
    throw new CliExit(EXIT.usage, `vigil config: expected "validate [FILE]"${guess}\n\n${help}`);
  }
  const path = file ?? cliPaths().configFile;
  if (!path) {
    process.stdout.write('no config file found: the built-in defaults apply (they are valid)\n');
    return EXIT.ok;
  }
  const color = useColor();
  try {
    const { config } = loadConfigFile(path);
    const report = summarize(config, cliPaths().mode);
    process.stdout.write(
      `${paint('valid', 'green', color)}: ${printable(path)}\n${report.lines.map((l) => `  ${printable(l)}\n`).join('')}`,
    );
    for (const warning of report.warnings)
      process.stderr.write(`${paint('warning', 'yellow', color)}: ${printable(warning)}\n`);
    return EXIT.ok;
  } catch (error) {
    if (!isVigilError(error)) throw error;
    process.stderr.write(
      `${paint('invalid', 'red', color)}: ${printable(error.toDisplayString(), { newlines: true })}\n`,
    );
    return EXIT.warning;
  }
}

/** What a valid config will do, and what it sets that will not be used in `mode`. */
export function summarize(config: FullConfig, mode: LaunchMode): { lines: string[]; warnings: string[] } {
  const lines = [
    `heartbeat every ${config.watchdog.heartbeat.intervalMs} ms, lost after ${config.watchdog.heartbeat.timeoutMs} ms`,
  ];
  const warnings: string[] = [];
  const asUnit = agentRunsAsUnit(config, mode);
  const ignored = keysTheAgentUnitIgnores(config);
  if (asUnit) warnings.push(...ignored);
  const checks = config.agent.checks;
  const names = checks.map((c) => c.name).join(', ') || 'none';
  const custom = config.agent.command && !asUnit ? config.agent.command : undefined;
  if (custom) {
    lines.push(`agent: ${custom.join(' ')} (your own program)`);
    // The bundled agent's checks come with the defaults too: they would look as if they ran.
    lines.push(
      `checks: agent.checks applies to the bundled vigil-agent only, so with agent.command none of these run (${pluralize(checks.length, 'check')}: ${names})`,
    );
  } else {
    lines.push(`agent: the bundled vigil-agent${asUnit ? ` (${config.watchdog.systemd.agentUnit})` : ''}`);
    lines.push(`${pluralize(checks.length, 'check')}: ${names}`);
  }
  if (!asUnit) lines.push(...ignored.map((text) => `note: ${text}`));
  return { lines, warnings };
}

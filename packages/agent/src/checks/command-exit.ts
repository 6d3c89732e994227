/**
 * `command`: runs a program (argv array, no shell, so no config value is ever interpolated) and
 * grades its exit code: `expectExit` → ok, `warnExit` → warn, anything else → critical, as are
 * a kill at the timeout and a program that cannot be started. The summary is the exit code and
 * the first line of what it printed, Nagios-plugin style.
 */
import type { CheckConfig } from '../config/checks-schema.js';
import { type Check, type CheckOutcome, type CheckStatus, clip } from './check-result.js';
import { runProbe } from './run-probe.js';

type CommandConfig = Extract<CheckConfig, { type: 'command' }>;

function firstLine(text: string): string {
  return text.trim().split('\n', 1)[0]?.trim() ?? '';
}

export function createCommandExitCheck(config: CommandConfig): Check {
  const [file, ...args] = config.command as [string, ...string[]];
  return {
    config,
    async run(signal): Promise<CheckOutcome> {
      const probe = await runProbe(file, args, signal);
      const line = firstLine(probe.all);
      const said = line ? `: ${line}` : '';
      if (probe.spawnError !== undefined) {
        return { status: 'critical', summary: clip(`cannot run ${file}: ${firstLine(probe.spawnError)}`) };
      }
      if (probe.exitCode === undefined) {
        const how = probe.aborted ? 'killed at timeout' : `killed by ${probe.signal ?? 'a signal'}`;
        return { status: 'critical', summary: clip(`${how}${said}`) };
      }
      let status: CheckStatus = 'critical';
      if (probe.exitCode === config.expectExit) status = 'ok';
      else if (probe.exitCode === config.warnExit) status = 'warn';
      return {
        status,
        summary: clip(`exit ${probe.exitCode}${said}`),
        value: probe.exitCode,
        unit: 'exit code',
      };
    },
  };
}

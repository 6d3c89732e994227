/**
 * `vigil config validate [FILE]`: the same parsing and validation the watchdog does at start
 * and the agent does on every live reload, without touching the running pair.
 */
import { isVigilError, loadConfigFile, printable } from '@vigil/shared';
import { cliPaths } from '../client.js';
import { didYouMean } from '../did-you-mean.js';
import { CliExit, EXIT } from '../exit-codes.js';
import { paint, useColor } from '../style.js';

export const help = `Usage: vigil config validate [FILE]

Checks a config file (YAML, or JSON by extension) against the schema and the cross-field rules,
and prints every problem as "path: problem". Without FILE: $VIGIL_CONFIG, else
$VIGIL_HOME/vigil.yaml (embedded) or /etc/vigil/vigil.yaml (systemd).

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
    const checks = printable(config.agent.checks.map((c) => c.name).join(', ')) || 'none';
    process.stdout.write(
      `${paint('valid', 'green', color)}: ${printable(path)}\n  heartbeat every ${config.watchdog.heartbeat.intervalMs} ms, lost after ${config.watchdog.heartbeat.timeoutMs} ms\n  ${config.agent.checks.length} checks: ${checks}\n`,
    );
    return EXIT.ok;
  } catch (error) {
    if (!isVigilError(error)) throw error;
    process.stderr.write(
      `${paint('invalid', 'red', color)}: ${printable(error.toDisplayString(), { newlines: true })}\n`,
    );
    return EXIT.warning;
  }
}

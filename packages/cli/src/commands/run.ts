/**
 * `vigil run`: the watchdog in the foreground, from the CLI — the same daemon the systemd unit
 * runs as `vigil-watchdog`, with the bundled agent this CLI was installed with.
 */
import { fileURLToPath } from 'node:url';
import { runHelp, runWatchdog, StartRefused } from '@vigil/watchdog';
import { CliExit, EXIT } from '../exit-codes.js';

export const help = runHelp('Usage: vigil run [--config FILE]');

export async function run(args: { config: string | undefined }): Promise<number> {
  try {
    return await runWatchdog({
      config: args.config,
      // Resolved, not loaded: the daemon runs it as a child and never imports it.
      bundledAgent: fileURLToPath(import.meta.resolve('@vigil/agent/bin/vigil-agent')),
      name: 'vigil run',
    });
  } catch (error) {
    if (error instanceof StartRefused) throw new CliExit(EXIT.warning, error.message);
    throw error;
  }
}

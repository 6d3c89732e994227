#!/usr/bin/env node
/**
 * vigil-watchdog: the daemon alone, what the systemd unit's ExecStart runs (`vigil run` runs
 * the same watchdog from the CLI). It loads nothing of the CLI, the agent or pino-pretty.
 */
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';

// The daemon runs little JavaScript, so it does without the optimizing compilers: about 8.7 MB
// less RSS, and it still works set here, before anything else is loaded (for a `node file` start
// without the shebang's flags). The young generation's size and the GC threads only take effect
// on the command line: the unit's ExecStart and ./vigil pass them
// (launcher/daemon-node-flags.ts); so does the bin stub's shebang.
setFlagsFromString('--lite-mode');

const { runHelp, runWatchdog, StartRefused, WATCHDOG_EXIT } = await import('../daemon/run-watchdog.js');
const { findBundledAgent } = await import('../launcher/bundled-agent.js');
const { WATCHDOG_VERSION } = await import('../version.js');

const USAGE = runHelp(`Usage: vigil-watchdog [--config FILE] [--help] [--version]

vigil-watchdog is the watchdog the systemd unit runs; \`vigil run\` runs the same one from the
vigil CLI. The bundled vigil-agent is the @vigil/agent package installed beside this one.`);

function parseCommandLine(): { config: string | undefined } | 'help' | 'version' {
  try {
    const { values } = parseArgs({
      options: {
        config: { type: 'string', short: 'c' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'V' },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) return 'help';
    if (values.version) return 'version';
    return { config: values.config };
  } catch (error) {
    process.stderr.write(`vigil-watchdog: ${(error as Error).message}\n\n${USAGE}\n`);
    process.exit(64);
  }
}

const args = parseCommandLine();
if (args === 'help') {
  process.stdout.write(`${USAGE}\n`);
} else if (args === 'version') {
  process.stdout.write(`${WATCHDOG_VERSION}\n`);
} else {
  try {
    // Resolves only after a graceful stop.
    process.exitCode = await runWatchdog({
      config: args.config,
      bundledAgent: findBundledAgent(),
      name: 'vigil-watchdog',
    });
  } catch (error) {
    const refused = error instanceof StartRefused;
    process.stderr.write(
      refused
        ? `${error.message}\n`
        : `vigil-watchdog: internal error: ${(error as Error).stack ?? String(error)}\n`,
    );
    process.exit(refused ? WATCHDOG_EXIT.refused : WATCHDOG_EXIT.internal);
  }
}

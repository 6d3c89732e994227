/**
 * `vigil run`: the watchdog in the foreground. Embedded mode starts the agent itself; Ctrl-C
 * (SIGINT) or SIGTERM stops the agent gracefully, then the watchdog. A watchdog that dies
 * without stopping (SIGKILL, crash) leaves the agent running for the next one to adopt.
 */
import { createLogger, isVigilError, loadConfig, resolvePaths } from '@vigil/shared';
import { chooseLauncher } from '../../launcher/choose-launcher.js';
import { Supervisor } from '../../supervisor/supervisor.js';
import { CliExit, EXIT } from '../exit-codes.js';

export const help = `Usage: vigil run [--config FILE]

Runs the watchdog in the foreground. In embedded mode (the default: no root, no systemd)
it starts the agent itself and keeps everything under $VIGIL_HOME (default ./.vigil):
  run/   agent.sock control.sock status.sock status.json agent.pid
  state/ history.jsonl vigil.prom reports/
  log/   watchdog.log agent.log
The config is --config FILE, else $VIGIL_CONFIG, else $VIGIL_HOME/vigil.yaml if present,
else built-in defaults.

Signals:
  SIGINT, SIGTERM  stop the agent gracefully, then the watchdog (a second one: exit now)
  SIGKILL          the watchdog dies; the agent keeps running and the next \`vigil run\` adopts it

Exit codes: 0 stopped cleanly, 1 could not start (bad config, another watchdog running), 70 internal error.`;

export async function run(args: { config: string | undefined }): Promise<number> {
  const paths = resolvePaths();
  const configFile = args.config ?? paths.configFile;
  let loaded: ReturnType<typeof loadConfig>;
  try {
    loaded = loadConfig(configFile);
  } catch (error) {
    if (isVigilError(error)) throw new CliExit(EXIT.warning, `vigil run: ${error.toDisplayString()}`);
    throw error;
  }
  const logger = createLogger({
    component: 'watchdog',
    file: paths.mode === 'embedded' ? paths.watchdogLog : undefined,
    echo: paths.mode === 'embedded' && process.stdout.isTTY ? process.stdout : undefined,
  });
  const supervisor = new Supervisor({
    config: loaded.config,
    configFile: loaded.source,
    paths,
    logger,
    launcher: chooseLauncher(loaded.config, loaded.source, paths),
  });
  try {
    await supervisor.start();
  } catch (error) {
    logger.error({ err: error }, 'watchdog could not start');
    if (isVigilError(error)) throw new CliExit(EXIT.warning, `vigil run: ${error.toDisplayString()}`);
    throw error;
  }
  if (!process.stdout.isTTY && paths.mode === 'embedded') {
    process.stdout.write(`vigil: watchdog pid ${process.pid} running; logs in ${paths.logDir}\n`);
  }

  return new Promise<number>((resolve) => {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      if (++signals > 1) process.exit(130);
      void supervisor.stop(`received ${signal}`).then(() => resolve(EXIT.ok));
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    process.on('SIGHUP', () =>
      logger.info('SIGHUP: the watchdog reads its config at start; restart it to apply changes'),
    );
    process.on('uncaughtException', (error) => {
      // Leave the agent running: the next watchdog adopts it rather than starting a duplicate.
      logger.fatal(
        { err: error },
        'watchdog crashed; the agent is left running for the next watchdog to adopt',
      );
      process.exit(EXIT.internal);
    });
  });
}

/**
 * The watchdog in the foreground, as `vigil-watchdog` (what the systemd unit runs) and `vigil
 * run` start it. Embedded mode starts the agent itself; Ctrl-C (SIGINT) or SIGTERM stops the
 * agent gracefully, then the watchdog. A watchdog that dies without stopping (SIGKILL, crash)
 * leaves the agent running for the next one to adopt.
 */
import { readFileSync } from 'node:fs';
import {
  assertHomeSafe,
  createLogger,
  describeOsError,
  isOsError,
  isVigilError,
  type Logger,
  printable,
  resolvePaths,
  type StatusSnapshot,
  type VigilPaths,
} from '@vigil/shared';
import { keepLastGoodConfig, loadStartConfig, type StartConfig } from '../config/last-good-config.js';
import { chooseLauncher } from '../launcher/choose-launcher.js';
import { Supervisor } from '../supervisor/supervisor.js';
import { createNotifier, startWatchdogPings } from '../systemd/sd-notify.js';

/** What the watchdog leaves with: 0 stopped cleanly, 1 refused to start, 70 crashed, 130 a second signal. */
export const WATCHDOG_EXIT = { ok: 0, refused: 1, internal: 70, interrupted: 130 } as const;

/** A start the operator can fix: one paragraph (the path and the fix), never a stack. */
export class StartRefused extends Error {}

export interface RunWatchdogOptions {
  /** --config FILE; else $VIGIL_CONFIG, else $VIGIL_HOME/vigil.yaml if present, else built-in defaults. */
  config?: string | undefined;
  /** The bundled vigil-agent's program, run when the config names no agent.command; null: none installed. */
  bundledAgent: string | null;
  /** How the command that runs the watchdog is named in what it prints (`vigil run`, `vigil-watchdog`). */
  name: string;
}

/** The usage text of both commands that run the watchdog; `usage` is the command's own first line. */
export const runHelp = (usage: string) => `${usage}

Runs the watchdog in the foreground. In embedded mode (the default: no root, no systemd)
it starts the agent itself and keeps everything under $VIGIL_HOME (default: the .vigil
folder of the checkout vigil runs from, else ~/.local/state/vigil; \`vigil start\` runs it in
the background):
  run/   agent.sock control.sock status.sock status.json agent.pid
  state/ history.jsonl vigil.prom reports/
  log/   watchdog.log agent.log
The config is --config FILE, else $VIGIL_CONFIG, else $VIGIL_HOME/vigil.yaml if present,
else built-in defaults.

Signals:
  SIGINT, SIGTERM  stop the agent gracefully, then the watchdog (a second one: exit now)
  SIGKILL          the watchdog dies; the agent keeps running and the next \`vigil run\` adopts it

Exit codes: 0 stopped cleanly, 1 could not start (bad config, another watchdog running, an
unsafe home, or a file it may not use: the path and the fix are printed), 70 internal error.`;

/** A start-up failure the operator can act on as exit 1 with one paragraph; null for a bug. */
function startupRefusal(error: unknown, paths: VigilPaths, name: string): StartRefused | null {
  if (isVigilError(error)) return new StartRefused(`${name}: ${error.toDisplayString()}`);
  if (isOsError(error)) {
    return new StartRefused(
      `${name}: the watchdog could not start: ${describeOsError(error, { home: paths.home })}`,
    );
  }
  return null;
}

/**
 * Runs the watchdog until it is stopped: resolves with the exit code after a graceful stop;
 * rejects with StartRefused for a start the operator can fix, with anything else for a bug.
 */
export async function runWatchdog(options: RunWatchdogOptions): Promise<number> {
  const { name } = options;
  const paths = resolvePaths();
  const configFile = options.config ?? paths.configFile;
  let loaded: StartConfig;
  let logger: Logger;
  try {
    // StrictModes first: nothing is read or written in a home another user could aim.
    assertHomeSafe(paths.home ? [paths.home] : [paths.runDir, paths.stateDir, paths.logDir]);
    loaded = loadStartConfig(configFile, paths);
    logger = createLogger({
      component: 'watchdog',
      file: paths.mode === 'embedded' ? paths.watchdogLog : undefined,
      rotate: loaded.config.log,
      echo: paths.mode === 'embedded' && process.stdout.isTTY ? process.stdout : undefined,
    });
  } catch (error) {
    throw startupRefusal(error, paths, name) ?? error;
  }
  if (loaded.agentProblems?.length) {
    logger.warn(
      { file: loaded.file, problems: loaded.agentProblems },
      'the agent section of the config has problems; the agent keeps its last good config (see its log and `vigil status`)',
    );
  }
  const origin = loaded.origin;
  if (origin.source === 'last-good') {
    logger.error(
      { file: origin.file, error: origin.error, fallback: origin.fallback },
      'the config file does not validate; the watchdog runs on the last good config instead — fix the file and restart',
    );
  }
  // No-op unless systemd gave us NOTIFY_SOCKET (Type=notify).
  const notifier = createNotifier({ logger });
  let lastStatusLine = '';
  let supervisor: Supervisor;
  try {
    supervisor = new Supervisor({
      config: loaded.config,
      configFile: loaded.file,
      paths,
      logger,
      launcher: chooseLauncher(loaded.config, loaded.file, paths, options.bundledAgent, logger),
      statusGid: paths.mode === 'systemd' ? groupId('vigil') : undefined,
      configOrigin: origin,
      onStatus: (snapshot) => {
        const line = statusLine(snapshot);
        if (line === lastStatusLine) return;
        lastStatusLine = line;
        notifier.status(line);
      },
    });
    await supervisor.start();
  } catch (error) {
    const refusal = startupRefusal(error, paths, name);
    // The operator reads the refusal on stderr; a stack in the log is only for a bug.
    logger.error(
      refusal
        ? { code: (error as { code?: unknown }).code, reason: (error as Error).message }
        : { err: error },
      'watchdog could not start',
    );
    await notifier.close();
    throw refusal ?? error;
  }
  if (origin.source !== 'last-good') {
    try {
      keepLastGoodConfig(paths, loaded.config);
    } catch (error) {
      logger.warn({ err: error }, 'could not keep the last good config');
    }
  }
  notifier.ready(`supervising the agent (${paths.mode} mode)`);
  // WATCHDOG=1 at half of WatchdogSec from this loop: a hung watchdog is restarted by systemd.
  const pings = startWatchdogPings(notifier);
  if (!process.stdout.isTTY && paths.mode === 'embedded') {
    process.stdout.write(`vigil: watchdog pid ${process.pid} running; logs in ${printable(paths.logDir)}\n`);
  }

  return new Promise<number>((resolve) => {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      if (++signals > 1) process.exit(WATCHDOG_EXIT.interrupted);
      notifier.stopping();
      pings?.stop();
      void supervisor
        .stop(`received ${signal}`)
        .then(() => notifier.close())
        .then(() => resolve(WATCHDOG_EXIT.ok));
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    process.on('SIGHUP', () =>
      logger.info('SIGHUP: the watchdog reads its config at start; restart it to apply changes'),
    );
    process.on('uncaughtException', (error) => {
      // An operating-system error (a disk gone read-only) is told as one, without a stack.
      const os = isOsError(error)
        ? { code: error.code, reason: describeOsError(error, { home: paths.home }) }
        : null;
      // Leave the agent running: the next watchdog adopts it rather than starting a duplicate —
      // unless it was never recorded in agent.pid (a full disk), which would make it a duplicate.
      supervisor.killUnrecordedAgent();
      logger.fatal(
        os ?? { err: error },
        'watchdog crashed; the agent is left running for the next watchdog to adopt',
      );
      if (os)
        process.stderr.write(`${name}: the watchdog stopped: ${printable(os.reason, { newlines: true })}\n`);
      process.exit(WATCHDOG_EXIT.internal);
    });
  });
}

/** The gid of a group from /etc/group, or undefined when it does not exist. */
function groupId(name: string): number | undefined {
  try {
    for (const line of readFileSync('/etc/group', 'utf8').split('\n')) {
      const [group, , gid] = line.split(':');
      if (group === name && gid !== undefined) return Number(gid);
    }
  } catch {
    // No /etc/group: no status group.
  }
  return undefined;
}

/** The one-line summary systemd shows in `systemctl status vigil-watchdog`. */
function statusLine(s: StatusSnapshot): string {
  const rung = s.recovery.rung === 'none' ? '' : `, recovery: ${s.recovery.rung}`;
  const paused = s.watchdog.paused ? ', paused' : '';
  const restarts = `${s.agent.restarts} restart${s.agent.restarts === 1 ? '' : 's'}`;
  return `agent ${s.agent.state}${s.agent.pid ? ` (pid ${s.agent.pid})` : ''}, ${restarts}${rung}${paused}`;
}

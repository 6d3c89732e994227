#!/usr/bin/env node
/**
 * vigil-agent: the agent program the watchdog runs by default. Deliberately thin: everything
 * it does comes from the SDK, so any service built on createAgent behaves the same way.
 */
import { parseArgs } from 'node:util';
import { createLogger, isVigilError } from '@vigil/shared';
import { agentErrors } from '../errors.js';
import { createAgent } from '../sdk/create-agent.js';
import { AGENT_VERSION } from '../version.js';

/** A medium recovery is taken back after this long without another recover command. */
const RESTORE_AFTER_MS = 60_000;
/** Past this, a stop that has not finished exits anyway; the watchdog's SIGKILL comes later. */
const STOP_DEADLINE_MS = 1500;

const USAGE = `Usage: vigil-agent [--help] [--version]

The vigil agent: connects to the vigil watchdog over its Unix socket, sends heartbeats, answers
recovery commands (soft: garbage collection; medium: degrade, restored after ${RESTORE_AFTER_MS / 1000} s
without further recovery) and, when enabled, fault injection. The watchdog starts it; running it
by hand is for debugging. Logs are JSON lines on stdout.

Environment:
  VIGIL_AGENT_SOCKET   the watchdog's agent socket (default: $VIGIL_HOME/run/agent.sock)
  VIGIL_HOME           embedded-mode home, used for the default socket path (default: ./.vigil)
  VIGIL_HEARTBEAT_MS   heartbeat interval until the watchdog says otherwise (default: 250)
  VIGIL_FAULTS         1 allows fault injection (vigil chaos); anything else refuses it
  VIGIL_REPORT_DIR     where stall evidence (stall-<pid>.json) is written; unset: no stall sentinel
  VIGIL_STALL_MS       how long the event loop may stand still before a stall is recorded (default: 1000)
  VIGIL_LOG_LEVEL      trace, debug, info, warn, error, fatal or silent (default: info)

Signals:
  SIGTERM, SIGINT      stop gracefully: state "stopping", close the socket, exit 0 (within ${STOP_DEADLINE_MS / 1000} s)
  SIGUSR2              a Node diagnostic report, when node runs with --report-on-signal (the watchdog sets it)

Exit codes:
  0   stopped by SIGTERM or SIGINT
  1   unexpected error, or the crash fault without an exit code
  2   usage error
  N   the crash fault with exitCode N
`;

function parseCommandLine(): 'run' | 'help' | 'version' {
  try {
    const { values } = parseArgs({
      options: { help: { type: 'boolean', short: 'h' }, version: { type: 'boolean', short: 'V' } },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) return 'help';
    return values.version ? 'version' : 'run';
  } catch (cause) {
    const error = agentErrors.create('VIGIL_AGENT_USAGE', (cause as Error).message, { cause });
    process.stderr.write(`vigil-agent: ${error.toDisplayString()}\n`);
    process.exit(2);
  }
}

function main(): void {
  const mode = parseCommandLine();
  if (mode === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  if (mode === 'version') {
    process.stdout.write(`${AGENT_VERSION}\n`);
    return;
  }
  const logger = createLogger({ component: 'agent' });
  const agent = createAgent({ name: 'vigil-agent', restoreAfterMs: RESTORE_AFTER_MS, logger });
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    agent.setState('stopping');
    setTimeout(() => {
      logger.warn({ deadlineMs: STOP_DEADLINE_MS }, 'graceful stop took too long; exiting anyway');
      process.exit(0);
    }, STOP_DEADLINE_MS).unref();
    void agent.stop().then(() => {
      logger.info('stopped');
      process.exit(0);
    });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  agent.start();
  agent.setState('ready');
}

try {
  main();
} catch (error) {
  process.stderr.write(`vigil-agent: ${isVigilError(error) ? error.toDisplayString() : String(error)}\n`);
  process.exit(1);
}

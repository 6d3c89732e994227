#!/usr/bin/env node
/**
 * vigil-agent: the agent program the watchdog runs by default — host checks with alerting,
 * remediation, metrics and a live config, on the SDK's heartbeat (see runtime/agent-runtime.ts).
 */
import { parseArgs } from 'node:util';
import { createLogger, isVigilError } from '@vigil/shared';
import { agentErrors } from '../errors.js';
import { AgentRuntime } from '../runtime/agent-runtime.js';
import { AGENT_VERSION } from '../version.js';

const USAGE = `Usage: vigil-agent [--help] [--version]

The vigil agent: runs the host checks of its config (disk, memory, load, processes, TCP, HTTP,
commands, file integrity, systemd units), alerts (log, webhook, Prometheus Alertmanager) and
remediates when they fail, serves Prometheus metrics on a loopback port, reloads its config
when the file changes, and heartbeats to the vigil watchdog, which restarts it if it hangs.
The watchdog starts it; running it by hand is for debugging. Logs are JSON lines on stdout.

Recovery it answers: soft (garbage collection, caches, HTTP keep-alive pool), medium (degrade:
pause non-critical checks, halve the frequency of the rest, refuse new remediation; restored
by \`vigil recover --restore\` or by itself after agent.recovery.medium.restoreAfterMs).

Environment:
  VIGIL_CONFIG         the config file (default: $VIGIL_HOME/vigil.yaml if present, else built-in defaults)
  VIGIL_AGENT_SOCKET   the watchdog's agent socket (default: $VIGIL_HOME/run/agent.sock)
  VIGIL_HOME           embedded-mode home (default: the checkout's .vigil, else ~/.local/state/vigil);
                       VIGIL_MODE=systemd for /run/vigil etc.
  VIGIL_HEARTBEAT_MS   heartbeat interval until the watchdog says otherwise (default: 250)
  VIGIL_FAULTS         1 allows fault injection (vigil chaos); anything else refuses it
  VIGIL_REPORT_DIR     where stall evidence (stall-<pid>.json) is written; unset: no stall sentinel
  VIGIL_STALL_MS       how long the event loop may stand still before a stall is recorded (default: 1000)
  VIGIL_LOG_LEVEL      trace, debug, info, warn, error, fatal or silent (default: info)

Signals:
  SIGTERM, SIGINT      stop gracefully within agent.stopTimeoutMs: checks and actions cancelled, exit 0
  SIGHUP               re-read the config file now (it is also watched)
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
  const runtime = new AgentRuntime({ logger });
  const deadlineMs = runtime.config.agent.stopTimeoutMs;
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    setTimeout(() => {
      logger.warn({ deadlineMs }, 'graceful stop took too long; exiting anyway');
      process.exit(0);
    }, deadlineMs).unref();
    void runtime.stop().then(() => {
      logger.info('stopped');
      process.exit(0);
    });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('SIGHUP', () => void runtime.reload());
  void runtime.start().catch((error: Error) => {
    logger.fatal({ err: error }, 'the agent could not start');
    process.exit(1);
  });
}

try {
  main();
} catch (error) {
  process.stderr.write(`vigil-agent: ${isVigilError(error) ? error.toDisplayString() : String(error)}\n`);
  process.exit(1);
}

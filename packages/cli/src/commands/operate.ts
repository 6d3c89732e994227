/** The commands that act through the control socket: recover, pause, resume, chaos. */
import {
  FAULT_NAMES,
  type FaultName,
  type FaultSpec,
  printable,
  type ResultMessage,
  type StatusSnapshot,
} from '@vigil/shared/core';
import { awaitOutcome } from '../await-outcome.js';
import { cliPaths, request, Unreachable, unreachableMessage, unwrap } from '../client.js';
import { didYouMean } from '../did-you-mean.js';
import { CliExit, EXIT } from '../exit-codes.js';
import { isResourceFault, readRunningConfig, unwatchedFaultWarning } from '../fault-limits.js';
import { formatDuration, parseDuration } from '../format.js';

// The faults the protocol knows, from the list its schema's union is built from.
const FAULTS: readonly FaultName[] = FAULT_NAMES;

export const recoverHelp = `Usage: vigil recover soft|medium|hard [--wait [--timeout DURATION]]
       vigil recover --restore

Runs one rung of the recovery ladder now, as if a detector had asked for it:
  soft     the agent's soft handlers (garbage collection, caches, connections)
  medium   the agent degrades: non-critical checks paused, remediation refused
  hard     stop the agent (SIGTERM, then SIGKILL to its whole tree) and start it again
  --restore  bring a degraded agent back to normal

A request for a recovery already in progress joins it (same incident, "joined"). Operator
restarts have a budget of their own (watchdog.recovery.operator, default 3 in 60 s); past it
\`recover hard\` is refused with the time until the next one is allowed.

Options:
  --wait              wait for the incident to close and exit with its outcome
  --timeout DURATION  how long --wait waits (default 2m; e.g. 90s, 5m)

Needs the control socket (the service user or root).
Exit codes: 0 done (with --wait: restarted or resolved), 1 refused, or with --wait ended
otherwise or still open at the deadline, 3 watchdog unreachable, 64 usage.`;

/** How long \`--wait\` waits by default: a stop, a backoff and a start, with room to spare. */
const DEFAULT_WAIT_MS = 120_000;

export const pauseHelp = `Usage: vigil pause [--for DURATION]
       vigil resume

Maintenance: the watchdog keeps detecting and logging but takes no recovery action, and the
agent silences its alerts and remediation, until \`vigil resume\` or the end of --for
(e.g. 30m, 2h, 90s). A paused pair whose agent exits leaves it down until resume.
Exit codes: 0 done, 1 refused, 3 watchdog unreachable, 64 usage.`;

export const chaosHelp = `Usage: vigil chaos FAULT [options]

Injects a fault into the agent, to see the watchdog recover from it. Refused unless the
config sets agent.faults.enabled: true. Faults:
  hang            block the agent's event loop (--seconds N, default forever)
  stop-heartbeat  stop sending heartbeats, loop still alive (--seconds N)
  slow-heartbeat  send heartbeats every --interval-ms (default 4000) (--seconds N)
  leak            grow RSS by --mb-per-sec (default 20) MiB/s, not reclaimable (--seconds N)
  bloat           grow a cache by --mb-per-sec for --seconds (default 5), held until a soft
                  recovery drops it: the case soft fixes without a restart
  cpu             spin one core (--seconds N)
  crash           exit at once with --exit-code (default 1)
  fail-health     report health "failing" (--seconds N)
  clear           end every running fault

leak, bloat and cpu are injected also when the watchdog has no limit for that resource
(watchdog.resources.memory / cpu), with a warning that nothing will act on them.

Exit codes: 0 injected, 1 refused, 3 watchdog unreachable, 64 usage.`;

async function send(body: Parameters<typeof request>[1]): Promise<unknown> {
  const paths = cliPaths();
  try {
    return unwrap(await request(paths, body, 15_000));
  } catch (error) {
    if (error instanceof Unreachable)
      throw new CliExit(EXIT.unreachable, unreachableMessage(paths, error.message));
    throw error;
  }
}

export async function recover(args: {
  level: string | undefined;
  restore: boolean;
  wait?: boolean | undefined;
  timeout?: string | undefined;
}): Promise<number> {
  if (args.restore) {
    const result = (await send({ op: 'restore' })) as ResultMessage;
    process.stdout.write(`restored: ${printable(result.did.join('; ')) || 'done'}\n`);
    return 0;
  }
  if (args.level !== 'soft' && args.level !== 'medium' && args.level !== 'hard') {
    throw new CliExit(
      EXIT.usage,
      `vigil recover: expected soft, medium or hard, got ${JSON.stringify(args.level ?? '')}${didYouMean(args.level ?? '', ['soft', 'medium', 'hard'])}\n\n${recoverHelp}`,
    );
  }
  let timeoutMs = DEFAULT_WAIT_MS;
  if (args.timeout !== undefined) {
    const parsed = parseDuration(args.timeout);
    if (!args.wait || parsed === null || parsed <= 0) {
      throw new CliExit(
        EXIT.usage,
        args.wait
          ? `vigil recover: --timeout wants a duration such as 90s or 5m, got ${JSON.stringify(args.timeout)}`
          : 'vigil recover: --timeout goes with --wait',
      );
    }
    timeoutMs = parsed;
  }
  const outcome = (await send({ op: 'recover', level: args.level })) as {
    detail: string;
    joined?: boolean;
    incidentId: string | null;
  };
  const incident = outcome.incidentId ? ` (incident ${outcome.incidentId}; see \`vigil history\`)` : '';
  process.stdout.write(`${printable(`${outcome.detail}${incident}`)}\n`);
  if (!args.wait) return 0;
  return awaitOutcome(cliPaths(), outcome.incidentId, timeoutMs);
}

export async function pause(args: { for: string | undefined }): Promise<number> {
  let forMs: number | undefined;
  if (args.for !== undefined) {
    const parsed = parseDuration(args.for);
    if (parsed === null || parsed <= 0) {
      throw new CliExit(
        EXIT.usage,
        `vigil pause: --for wants a duration such as 30m, 2h or 90s, got ${JSON.stringify(args.for)}`,
      );
    }
    forMs = parsed;
  }
  await send(forMs === undefined ? { op: 'pause' } : { op: 'pause', forMs });
  process.stdout.write(
    forMs === undefined
      ? 'paused until `vigil resume`: detection goes on, recovery, alerts and remediation are held\n'
      : `paused for ${formatDuration(forMs)}: detection goes on, recovery, alerts and remediation are held\n`,
  );
  return 0;
}

export async function resume(): Promise<number> {
  await send({ op: 'resume' });
  process.stdout.write('resumed: recovery is active again\n');
  return 0;
}

function positiveNumber(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new CliExit(
      EXIT.usage,
      `vigil chaos: ${name} wants a positive number, got ${JSON.stringify(text)}`,
    );
  return value;
}

export async function chaos(args: {
  fault: string | undefined;
  seconds?: string | undefined;
  mbPerSec?: string | undefined;
  exitCode?: string | undefined;
  intervalMs?: string | undefined;
}): Promise<number> {
  if (!args.fault || !FAULTS.includes(args.fault as FaultName)) {
    throw new CliExit(
      EXIT.usage,
      `vigil chaos: unknown fault ${JSON.stringify(args.fault ?? '')}${didYouMean(args.fault ?? '', FAULTS)}; one of ${FAULTS.join(', ')}\n\n${chaosHelp}`,
    );
  }
  const fault: FaultSpec = { name: args.fault as FaultName };
  const seconds = positiveNumber('--seconds', args.seconds);
  const mbPerSec = positiveNumber('--mb-per-sec', args.mbPerSec);
  const intervalMs = positiveNumber('--interval-ms', args.intervalMs);
  if (seconds !== undefined) fault.seconds = seconds;
  if (mbPerSec !== undefined) fault.mbPerSec = mbPerSec;
  if (intervalMs !== undefined) fault.intervalMs = Math.round(intervalMs);
  if (args.exitCode !== undefined) {
    const code = Number(args.exitCode);
    if (!Number.isInteger(code) || code < 0 || code > 255)
      throw new CliExit(
        EXIT.usage,
        `vigil chaos: --exit-code wants 0-255, got ${JSON.stringify(args.exitCode)}`,
      );
    fault.exitCode = code;
  }
  const result = (await send({ op: 'fault', fault })) as ResultMessage;
  process.stdout.write(`injected ${fault.name}: ${printable(result.did.join('; ')) || 'ok'}\n`);
  const warning = await unwatchedWarning(fault.name);
  if (warning) process.stderr.write(`vigil chaos: warning: ${printable(warning)}\n`);
  return 0;
}

/** Said after the injection: a status or config that cannot be read must not stop the fault. */
async function unwatchedWarning(fault: FaultName): Promise<string | null> {
  if (!isResourceFault(fault)) return null;
  try {
    const snapshot = (await send({ op: 'status' })) as StatusSnapshot;
    const config = readRunningConfig(snapshot, cliPaths().configFile);
    return config ? unwatchedFaultWarning(fault, config) : null;
  } catch {
    return null;
  }
}

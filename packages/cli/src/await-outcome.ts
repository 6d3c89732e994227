/**
 * `vigil recover … --wait`: follows the incident the request started (or joined) until it
 * closes, and turns its outcome into the exit code, so a script knows whether the restart it
 * asked for worked. Reads status, which is cheap for the watchdog, a few times a second.
 */
import {
  checkIncidents,
  type Incident,
  printable,
  type StatusSnapshot,
  type VigilPaths,
} from '@vigil/shared';
import { request, requestStatus, Unreachable, unreachableMessage, unwrap } from './client.js';
import { CliExit, EXIT } from './exit-codes.js';
import { formatDuration, pluralize } from './format.js';

const POLL_MS = 200;

/** Prints one line and passes the exit code through. */
function say(text: string, code: number): number {
  process.stdout.write(`${printable(text)}\n`);
  return code;
}

async function statusOrExit(paths: VigilPaths): Promise<StatusSnapshot> {
  try {
    return await requestStatus(paths);
  } catch (error) {
    if (error instanceof Unreachable) {
      throw new CliExit(EXIT.unreachable, unreachableMessage(paths, error.message));
    }
    throw error;
  }
}

/** A closed incident: from the recent ones in status, else from the history. */
async function findClosed(paths: VigilPaths, s: StatusSnapshot, id: string): Promise<Incident | undefined> {
  const recent = s.incidents.find((i) => i.id === id);
  if (recent) return recent;
  const checked = checkIncidents(unwrap(await request(paths, { op: 'history', n: 100 })));
  return checked.ok ? checked.value.find((i) => i.id === id) : undefined;
}

/** 0 when the incident ended restarted or resolved; 1 when it ended otherwise or the deadline passed. */
export async function awaitOutcome(
  paths: VigilPaths,
  incidentId: string | null,
  timeoutMs: number,
): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const s = await statusOrExit(paths);
    const agent = `the agent (pid ${s.agent.pid ?? '-'}) is ${s.agent.state}`;
    if (incidentId === null) {
      // Nothing to follow (the agent was starting with no incident open): wait for it to be up.
      if (s.agent.state === 'healthy' || s.agent.state === 'degraded') return say(`up: ${agent}`, EXIT.ok);
      if (s.agent.state === 'failed' || s.agent.state === 'stopped') return say(agent, EXIT.warning);
    } else if (s.recovery.incidentId !== incidentId) {
      const closed = await findClosed(paths, s, incidentId);
      if (!closed)
        return say(`incident ${incidentId} is closed but not in the history; ${agent}`, EXIT.warning);
      const took = closed.durationMs === null ? '' : ` after ${formatDuration(closed.durationMs)}`;
      const ok = closed.outcome === 'restarted' || closed.outcome === 'resolved';
      return say(
        `incident ${incidentId} ended ${closed.outcome ?? 'without an outcome'}${took}; ${agent}`,
        ok ? EXIT.ok : EXIT.warning,
      );
    } else if (s.agent.state === 'failed') {
      return say(
        `incident ${incidentId}: the agent failed (${pluralize(s.recovery.restartsInWindow, 'restart')} in the intensity window); the watchdog keeps probing, \`vigil why\` says more`,
        EXIT.warning,
      );
    }
    const left = deadline - performance.now();
    if (left <= 0) {
      return say(
        `still in progress after ${formatDuration(timeoutMs)}${incidentId ? ` (incident ${incidentId}, rung ${s.recovery.rung})` : ''}; ${agent}; \`vigil status\` shows where it is`,
        EXIT.warning,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, left)));
  }
}

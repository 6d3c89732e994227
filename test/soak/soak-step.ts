/**
 * One step of the soak: wait for a healthy pair and the step's gap, check that the incident
 * count still matches the fault count and that there is one agent, inject the fault, wait for
 * its incident to close, and check that it ended as designed: right signal, rungs and outcome,
 * a new agent exactly when one was due, the old one gone, still one agent.
 */
import assert from 'node:assert/strict';
import type { Incident, StatusSnapshot } from '@vigil/shared';
import { waitFor } from '@vigil/shared/testing';
import type { Pair } from '../support/pair.ts';
import { isAlive, pidsWithEnv } from '../support/processes.ts';
import { readIncidents } from '../support/read-incidents.ts';
import { chaosArgs, checkIncident, expectedFor, type FaultStep } from './soak-faults.ts';
import type { FaultRecord } from './soak-report.ts';

const FAULT_DEADLINE_MS = 30_000;
export const HEALTHY_DEADLINE_MS = 30_000;

function agentProcesses(pair: Pair, watchdogPid: number): number[] {
  return pidsWithEnv('VIGIL_HOME', pair.home).filter((pid) => pid !== watchdogPid);
}

async function inject(pair: Pair, step: FaultStep): Promise<void> {
  if (step.via === 'cli') {
    const result = pair.cli(chaosArgs(step.spec));
    if (result.code !== 0)
      throw new Error(`vigil ${chaosArgs(step.spec).join(' ')} exited ${result.code}: ${result.stderr}`);
  } else {
    await pair.request({ op: 'fault', fault: step.spec }, 15_000);
  }
}

/** Waits for an incident not seen before to close; polls status (in memory), not the history file. */
async function nextIncident(
  pair: Pair,
  known: Set<string>,
  deadlineMs = FAULT_DEADLINE_MS,
): Promise<Incident> {
  let found: Incident | undefined;
  let last: StatusSnapshot | undefined;
  await waitFor(
    async () => {
      last = await pair.status();
      found = last.incidents.find((i) => !known.has(i.id) && i.closedAt !== null);
      return found !== undefined;
    },
    deadlineMs,
    () =>
      `a new incident to close; agent ${JSON.stringify(last?.agent.state)} recovery ${JSON.stringify(last?.recovery)}`,
    100,
  );
  known.add((found as Incident).id);
  return found as Incident;
}

/**
 * After a step that went wrong (keep-going mode): wait until whatever it set off has finished
 * (healthy, no incident open, twice, 3 s apart), then count every incident so far as seen.
 */
export async function settle(pair: Pair, known: Set<string>): Promise<void> {
  const quiet = async () => {
    await waitFor(
      async () => {
        const s = await pair.status();
        return s.agent.state === 'healthy' && s.recovery.incidentId === null;
      },
      60_000,
      'the pair to settle after a failed step',
      200,
    );
  };
  await quiet();
  // Settled means the agent has stayed up and quiet a while, by its own uptime, not a guess.
  await waitFor(
    async () => {
      const s = await pair.status();
      return s.agent.state === 'healthy' && s.recovery.incidentId === null && (s.agent.uptimeMs ?? 0) >= 3000;
    },
    60_000,
    'the agent up and quiet for 3 s',
    200,
  );
  for (const incident of readIncidents(pair.paths.historyFile)) known.add(incident.id);
}

/** Runs one fault; fills `record`; throws on the first thing that is not as designed. */
export async function runFaultStep(
  pair: Pair,
  step: FaultStep,
  known: Set<string>,
  watchdogPid: number,
  record: FaultRecord,
): Promise<void> {
  await pair.waitForHealthy(HEALTHY_DEADLINE_MS);
  await new Promise((r) => setTimeout(r, step.gapMs));
  const before = await pair.status();
  if (before.agent.state !== 'healthy') throw new Error(`the agent is ${before.agent.state} after the gap`);
  record.pidBefore = before.agent.pid;
  // Checked before every fault, so an incident that opens late (after the pair looked healthy
  // again) is still caught, and blamed on the fault before. Read from the history file: the
  // whole history soon outgrows one control-socket frame.
  const history = readIncidents(pair.paths.historyFile);
  if (history.length !== known.size) {
    const extra = history.filter((h) => !known.has(h.id)).map((h) => `${h.signal}/${h.outcome}`);
    throw new Error(`${history.length} incidents for ${known.size} faults; unexplained: ${extra.join(', ')}`);
  }
  assert.deepEqual(agentProcesses(pair, watchdogPid), [before.agent.pid], 'exactly one agent process');

  const injectedAt = Date.now();
  await inject(pair, step);
  const incident = await nextIncident(pair, known);
  Object.assign(record, {
    incidentId: incident.id,
    signal: incident.signal,
    rungs: incident.rungs,
    outcome: incident.outcome,
    detectMs: incident.openedAt - injectedAt,
    closeMs: (incident.closedAt ?? injectedAt) - injectedAt,
  });
  const wrong = checkIncident(step.spec, incident);
  if (wrong) {
    const timeline = incident.timeline.map(
      (e) =>
        `+${e.at - injectedAt}ms ${e.kind}${e.rung ? ` ${e.rung}` : ''}${e.detail ? `: ${e.detail}` : ''}${e.did?.length ? ` (${e.did.join('; ')})` : ''}`,
    );
    // What the fault did next tells a wrong verdict from a wrong fault: give it a few seconds.
    const next = await nextIncident(pair, known, 8000).catch(() => undefined);
    const then = next
      ? `then incident ${next.signal} [${next.rungs.join(', ')}] ${next.outcome}, opened +${next.openedAt - injectedAt}ms`
      : 'no further incident within 8 s';
    throw new Error(`${wrong}\n      timeline: ${timeline.join('\n                ')}\n      ${then}`);
  }

  const after = await pair.waitForHealthy(HEALTHY_DEADLINE_MS);
  record.pidAfter = after.agent.pid;
  if (expectedFor(step.spec).restart) {
    if (after.agent.pid === before.agent.pid) throw new Error('expected a new agent, the pid is unchanged');
    if (isAlive(before.agent.pid as number))
      throw new Error(`the old agent (pid ${before.agent.pid}) is still alive`);
  } else if (after.agent.pid !== before.agent.pid) {
    throw new Error(`expected no restart; the agent went from pid ${before.agent.pid} to ${after.agent.pid}`);
  }
  assert.deepEqual(
    agentProcesses(pair, watchdogPid),
    [after.agent.pid],
    'exactly one agent process, no orphan',
  );
}

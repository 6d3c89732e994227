/**
 * `vigil why`: one paragraph, for the operator paged at 3 a.m.: what state the agent is in,
 * what happened last, and what the watchdog will do next.
 */
import {
  type Incident,
  printable,
  printableDeep,
  readStatusFile,
  type StatusSnapshot,
} from '@vigil/shared/core';
import { cliPaths, requestStatus, statusFileProblem, Unreachable, unreachableMessage } from '../client.js';
import { EXIT } from '../exit-codes.js';
import { formatDuration, formatTime, pluralize } from '../format.js';
import { describeConfig } from '../render-config.js';
import { statusExitCode } from '../render-status.js';

export const help = `Usage: vigil why

Explains in one paragraph what the agent is doing, what happened last (the most recent
incident: signal, rungs, evidence, outcome) and what the watchdog will do next.

Exit codes: as \`vigil status\` (0 healthy, 1 degraded/recovering, 2 failed/stopped, 3 unreachable).`;

function describeIncident(i: Incident, now: number): string {
  const when = `${formatDuration(now - i.openedAt)} ago`;
  const what = i.detail ? `${i.signal} (${i.detail})` : i.signal;
  const rungs = i.rungs.length ? `it tried ${i.rungs.join(', then ')}` : 'no rung was needed';
  const stack = i.evidence?.stack?.find((f) => !f.includes('node:')) ?? i.evidence?.stack?.[0];
  const evidence = stack
    ? `; before the kill the agent was stuck at ${stack}`
    : i.evidence?.reportPath
      ? `; its loop was still turning, and the evidence is ${i.evidence.reportPath}`
      : i.evidence?.note
        ? `; ${i.evidence.note}`
        : '';
  const outcome =
    i.outcome === null
      ? 'and it is still open'
      : `and it ended ${i.outcome}${i.durationMs !== null ? ` after ${formatDuration(i.durationMs)}` : ''}`;
  return `The last incident (${i.id}, ${when}) began with ${what}; ${rungs}${evidence}, ${outcome}.`;
}

function describeNext(s: StatusSnapshot): string {
  const r = s.recovery;
  if (s.watchdog.paused) {
    const until = s.watchdog.pausedUntil
      ? ` until ${formatTime(s.watchdog.pausedUntil)}`
      : ' until `vigil resume`';
    return `Recovery is paused for maintenance${until}: problems are detected and logged but nothing is done about them.`;
  }
  switch (s.agent.state) {
    case 'healthy':
      return 'Nothing is pending: the watchdog acts again as soon as a heartbeat is late, a limit is crossed or the agent reports failing.';
    case 'degraded':
      return 'The agent is degraded after a medium recovery (non-critical work paused); it restores itself after a quiet period, or run `vigil recover --restore`.';
    case 'starting':
      return 'The agent was just started and has not said hello yet; if it does not within the startup grace, it is killed and restarted.';
    case 'unresponsive':
      return 'The agent is not answering: the watchdog is taking evidence and will kill and restart it.';
    case 'recovering':
      if (r.rung === 'soft' || r.rung === 'medium') {
        return `The ${r.rung} rung is running for ${r.signal}: if that does not clear within its verify window (or keeps getting worse), the watchdog climbs to the next rung.`;
      }
      return r.backoffMs !== null
        ? `The agent is being restarted: the next start is in ${formatDuration(r.backoffMs)} (backing off after ${pluralize(r.restartsInWindow, 'recent restart')}).`
        : 'The agent is being restarted.';
    case 'failed':
      return `The agent failed too often (${pluralize(r.restartsInWindow, 'restart')} in the intensity window), so the watchdog stopped restarting it in a loop and probes it ${r.backoffMs !== null ? `again in ${formatDuration(r.backoffMs)}` : 'every few minutes'}; \`vigil recover hard\` starts it now, and \`vigil logs --unit agent\` shows why it dies.`;
    case 'stopped':
      return 'The agent is not running and nothing will start it; `vigil resume` or `vigil recover hard` starts it.';
  }
}

export function explain(snapshot: StatusSnapshot, staleMs?: number): string {
  // Health summaries, check names and incident details come from the agent.
  const s = printableDeep(snapshot);
  const a = s.agent;
  const now = s.updatedAt;
  const parts: string[] = [];
  const stopped = s.watchdog.stopped;
  if (stopped) {
    // A clean stop: nothing is wrong and nothing will happen until the pair is started again.
    parts.push(
      `The pair was stopped (${stopped.reason}) at ${formatTime(stopped.at)}, ${formatDuration(now + (staleMs ?? 0) - stopped.at)} ago; \`vigil run\` starts it again.`,
    );
    const last = s.incidents[0];
    parts.push(last ? describeIncident(last, now) : 'No incident had been recorded.');
    return `${parts.join(' ')}\n`;
  }
  if (staleMs !== undefined)
    parts.push(
      `The watchdog is not running and did not stop cleanly (killed or crashed): nothing supervises the agent now; this is what it last wrote, ${formatDuration(staleMs)} ago. \`vigil run\` starts a watchdog that adopts the agent if it still runs.`,
    );
  const pid = a.pid
    ? ` (pid ${a.pid}${a.uptimeMs !== null ? `, up ${formatDuration(a.uptimeMs)}` : ''})`
    : '';
  const restarts = a.restarts
    ? `, restarted ${pluralize(a.restarts, 'time')} since the watchdog started ${formatDuration(s.watchdog.uptimeMs)} ago`
    : '';
  parts.push(`The agent${pid} is ${a.state}${restarts}.`);
  const origin = s.watchdog.config;
  if (origin?.source === 'last-good')
    parts.push(
      `The watchdog refused its config file ${origin.file ?? ''} at start (${origin.error ?? 'invalid'}) and runs on the last good config ${origin.fallback ?? ''}; fix the file (\`vigil config validate\`) and restart the watchdog.`,
    );
  if (a.health?.failing?.length)
    parts.push(
      `Its checks report problems: ${a.health.failing.join(', ')}${a.health.summary ? ` (${a.health.summary})` : ''}.`,
    );
  if (a.config?.rejected) parts.push(`Its config: ${describeConfig(a.config)}.`);
  if (a.warnings?.length) parts.push(`It warns: ${a.warnings.join('; ')}.`);
  const last = s.incidents[0];
  parts.push(last ? describeIncident(last, now) : 'No incident has been recorded.');
  parts.push(describeNext(s));
  return `${parts.join(' ')}\n`;
}

export async function why(): Promise<number> {
  const paths = cliPaths();
  try {
    const snapshot = await requestStatus(paths);
    process.stdout.write(explain(snapshot));
    return statusExitCode(snapshot.agent.state);
  } catch (error) {
    if (!(error instanceof Unreachable)) throw error;
    const stale = readStatusFile(paths.statusFile);
    if (stale.kind === 'ok') process.stdout.write(explain(stale.snapshot, stale.ageMs));
    const problem = statusFileProblem(paths, stale);
    if (problem) process.stderr.write(`${printable(problem)}\n`);
    process.stderr.write(`${printable(unreachableMessage(paths, error.message), { newlines: true })}\n`);
    return EXIT.unreachable;
  }
}

/** The human view of `vigil history`: each incident with its timeline. */
import { type Evidence, type Incident, printableDeep } from '@vigil/shared/core';
import { formatDuration, paint } from './format.js';
import { renderIncidentLine } from './render-status.js';

const SOURCES: Readonly<Record<string, string>> = {
  'diagnostic-report': 'diagnostic report',
  'stall-sentinel': 'stall file',
};

/**
 * Evidence without a stack: the loop still turned (stopped or slowed heartbeats), so a
 * diagnostic report was written with no frame at a hang; its path is the evidence.
 */
function evidenceLine(evidence: Evidence): string | null {
  const parts: string[] = [];
  if (evidence.reportPath) {
    const what = SOURCES[evidence.source ?? ''] ?? evidence.source ?? 'report';
    parts.push(`${what} ${evidence.reportPath} (no stack at a hang: the event loop was turning)`);
  }
  if (evidence.note) parts.push(evidence.note);
  if (evidence.processState) parts.push(`process state ${evidence.processState}`);
  return parts.length ? parts.join('; ') : null;
}

export function renderHistory(incidents: Incident[], color: boolean, now = Date.now()): string {
  if (incidents.length === 0) return 'no incidents recorded\n';
  const out: string[] = [];
  // Details, results, evidence frames and report paths are the agent's text.
  for (const incident of printableDeep(incidents)) {
    out.push(renderIncidentLine(incident, now, color));
    if (incident.detail) out.push(`  ${paint('signal', 'dim', color)}   ${incident.detail}`);
    for (const entry of incident.timeline) {
      const offset = `+${formatDuration(entry.at - incident.openedAt)}`.padStart(9);
      const what = [entry.kind, entry.rung, entry.ok === undefined ? null : entry.ok ? 'ok' : 'FAILED']
        .filter(Boolean)
        .join(' ');
      const tail = [
        entry.detail,
        entry.did?.length ? `did: ${entry.did.join('; ')}` : null,
        entry.pid ? `pid ${entry.pid}` : null,
      ]
        .filter(Boolean)
        .join('  ');
      out.push(`  ${paint(offset, 'dim', color)}  ${what.padEnd(16)} ${tail}`);
    }
    if (incident.evidence?.stack?.length) {
      out.push(
        `  ${paint('stack at the hang', 'bold', color)} (${incident.evidence.source ?? 'evidence'}${incident.evidence.reportPath ? `: ${incident.evidence.reportPath}` : ''})`,
      );
      for (const frame of incident.evidence.stack.slice(0, 5)) out.push(`      at ${frame}`);
    } else if (incident.evidence) {
      const line = evidenceLine(incident.evidence);
      if (line) out.push(`  ${paint('evidence', 'dim', color)} ${line}`);
    }
    if (incident.logTail?.length) {
      out.push(`  ${paint('agent log before the fault', 'dim', color)}`);
      for (const line of incident.logTail) out.push(`      ${line}`);
    }
    out.push('');
  }
  return `${out.join('\n')}`;
}

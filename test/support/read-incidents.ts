/**
 * Incidents read straight from `state/history.jsonl` (and its rotations), the file the contract
 * names: for runs with so many incidents that asking the watchdog for all of them would not fit
 * in one control-socket frame. Folds just what tests count: signal, rungs, outcome, times.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { IncidentEvent, Rung, SignalKind } from '@vigil/shared';

export interface IncidentSummary {
  id: string;
  signal: SignalKind | null;
  detail: string | undefined;
  openedAt: number;
  closedAt: number | null;
  outcome: string | null;
  rungs: Rung[];
}

export function readIncidents(historyFile: string, keep = 10): IncidentSummary[] {
  const files = [...Array.from({ length: keep }, (_, i) => `${historyFile}.${keep - i}`), historyFile];
  const byId = new Map<string, IncidentSummary>();
  for (const file of files) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      let event: IncidentEvent;
      try {
        event = JSON.parse(line) as IncidentEvent;
      } catch {
        continue;
      }
      let incident = byId.get(event.incidentId);
      if (!incident) {
        incident = {
          id: event.incidentId,
          signal: null,
          detail: undefined,
          openedAt: event.at,
          closedAt: null,
          outcome: null,
          rungs: [],
        };
        byId.set(event.incidentId, incident);
      }
      if (event.kind === 'opened') {
        incident.signal = event.signal ?? null;
        incident.detail = event.detail;
        incident.openedAt = event.at;
      } else if (event.kind === 'rung' && event.rung && !incident.rungs.includes(event.rung)) {
        incident.rungs.push(event.rung);
      } else if (event.kind === 'closed') {
        incident.closedAt = event.at;
        incident.outcome = event.outcome ?? null;
      }
    }
  }
  return [...byId.values()];
}

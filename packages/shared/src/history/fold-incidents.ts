/** Folds history lines into incidents, each with its timeline, newest first. */
import type { Evidence, Incident, IncidentEvent, Rung, TimelineEntry } from '../protocol/incident.js';

export function foldIncidents(events: readonly IncidentEvent[]): Incident[] {
  const byId = new Map<string, Incident>();
  for (const event of events) {
    let incident = byId.get(event.incidentId);
    if (!incident) {
      incident = {
        id: event.incidentId,
        signal: event.signal ?? 'operator',
        openedAt: event.at,
        closedAt: null,
        durationMs: null,
        outcome: null,
        rung: null,
        rungs: [],
        timeline: [],
      };
      byId.set(event.incidentId, incident);
    }
    apply(incident, event);
  }
  return [...byId.values()].sort((a, b) => b.openedAt - a.openedAt);
}

function apply(incident: Incident, event: IncidentEvent): void {
  const entry: TimelineEntry = { at: event.at, kind: event.kind };
  for (const key of ['rung', 'ok', 'durationMs', 'detail', 'did', 'pid'] as const) {
    if (event[key] !== undefined) (entry as Record<string, unknown>)[key] = event[key];
  }
  incident.timeline.push(entry);
  if (event.logTail) incident.logTail = event.logTail;
  switch (event.kind) {
    case 'opened':
      if (event.signal) incident.signal = event.signal;
      if (event.detail) incident.detail = event.detail;
      incident.openedAt = event.at;
      break;
    case 'rung':
      if (event.rung) addRung(incident, event.rung);
      break;
    case 'evidence':
      if (event.evidence) incident.evidence = event.evidence as Evidence;
      break;
    case 'closed':
      incident.closedAt = event.at;
      incident.durationMs = event.at - incident.openedAt;
      incident.outcome = event.outcome ?? null;
      break;
    default:
      break;
  }
}

const ORDER: readonly Rung[] = ['soft', 'medium', 'hard'];

function addRung(incident: Incident, rung: Rung): void {
  if (!incident.rungs.includes(rung)) incident.rungs.push(rung);
  if (!incident.rung || ORDER.indexOf(rung) > ORDER.indexOf(incident.rung)) incident.rung = rung;
}

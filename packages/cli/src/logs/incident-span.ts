/** The time span of one recorded incident, from the history file (`vigil logs --incident`). */
import { foldIncidents, readHistory } from '@vigil/shared/history';
import type { IncidentSpan } from './filters.js';

export function findIncidentSpan(historyFile: string, id: string): IncidentSpan | null {
  const incident = foldIncidents(readHistory(historyFile).events).find((candidate) => candidate.id === id);
  return incident ? { id, openedAt: incident.openedAt, closedAt: incident.closedAt } : null;
}

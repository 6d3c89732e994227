/** One check's state as the heartbeat carries it (the SDK bounds the list). */
import type { CheckReport } from '@vigil/shared';
import type { CheckState } from './check-state.js';

export function checkReport(state: CheckState): [string, CheckReport] {
  const last = state.last;
  const report: CheckReport = {
    type: state.type,
    status: state.status,
    paused: state.paused,
    summary: last ? last.summary : 'not run yet',
    since: state.since,
    lastRunAt: last?.at ?? null,
    lastRunMs: last ? Math.max(0, Math.round(last.durationMs)) : null,
  };
  if (last?.value !== undefined && Number.isFinite(last.value)) report.value = last.value;
  if (last?.unit !== undefined) report.unit = last.unit;
  return [state.name, report];
}

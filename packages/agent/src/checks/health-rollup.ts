/**
 * The agent's health, rolled up from its checks for the heartbeat. Only a check marked
 * `affectsHealth` can make the agent `failing` (which climbs the watchdog's recovery ladder);
 * any other bad check makes it `warn`, because restarting the agent does not empty a full disk.
 * Paused checks are counted apart and judge nothing: their last status is stale.
 */
import type { HealthSummary } from '@vigil/shared';
import { type CheckStatus, severity } from './check-result.js';

export interface RollupInput {
  name: string;
  status: CheckStatus;
  paused: boolean;
  affectsHealth: boolean;
}

const MAX_SUMMARY = 512;
const MAX_FAILING = 64;

/** "a (critical), b (warn)", cut to `room` characters with "… and N more". */
function describeFailing(failing: readonly RollupInput[], room: number): string {
  const parts = failing.map((c) => `${c.name} (${c.status})`);
  const all = parts.join(', ');
  if (all.length <= room) return all;
  let kept = 0;
  let length = 0;
  for (const part of parts) {
    if (length + part.length + 2 > room - 20) break;
    length += part.length + 2;
    kept += 1;
  }
  return `${parts.slice(0, kept).join(', ')}, … and ${parts.length - kept} more`;
}

export function rollUpHealth(checks: readonly RollupInput[]): HealthSummary {
  const active = checks.filter((c) => !c.paused);
  const counts = { total: checks.length, ok: 0, warn: 0, critical: 0, paused: checks.length - active.length };
  for (const check of active) counts[check.status] += 1;
  const failing = active
    .filter((c) => c.status !== 'ok')
    .sort((a, b) => severity(b.status) - severity(a.status));

  let status: HealthSummary['status'] = 'ok';
  if (active.some((c) => c.affectsHealth && c.status === 'critical')) status = 'failing';
  else if (failing.length > 0) status = 'warn';

  const paused = counts.paused > 0 ? `, ${counts.paused} paused` : '';
  let summary: string;
  if (checks.length === 0) summary = 'no checks configured';
  else if (failing.length === 0)
    summary = `${active.length} check${active.length === 1 ? '' : 's'} ok${paused}`;
  else {
    const head = `${failing.length} of ${checks.length} check${checks.length === 1 ? '' : 's'} failing${paused}: `;
    summary = head + describeFailing(failing, MAX_SUMMARY - head.length);
  }

  return {
    status,
    summary,
    checks: counts,
    failing: failing.slice(0, MAX_FAILING).map((c) => c.name),
  };
}

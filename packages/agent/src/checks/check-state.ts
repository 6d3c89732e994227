/**
 * What the registry tells the outside about each check: its state (for status, metrics and the
 * CLI) and the transitions of its displayed status (for alerts and remediation).
 */
import type { CheckConfig, CheckType } from '../config/checks-schema.js';
import type { CheckResult, CheckStatus } from './check-result.js';
import type { ScheduledCheck } from './scheduled-check.js';

export interface CheckState {
  name: string;
  type: CheckType;
  critical: boolean;
  affectsHealth: boolean;
  /** After hysteresis: what the roll-up and the alerts go by. */
  status: CheckStatus;
  last?: CheckResult;
  paused: boolean;
  /** When the displayed status last changed (or the check was added), epoch ms. */
  since: number;
  /** Results recorded. */
  runs: number;
  /** Ticks skipped because a run of this check was still going (or hung). */
  skipped: number;
}

export interface CheckTransition {
  name: string;
  config: CheckConfig;
  from: CheckStatus;
  to: CheckStatus;
  /** The result that moved it. */
  result: CheckResult;
}

export function snapshotState(entry: ScheduledCheck): CheckState {
  const { config } = entry;
  const state: CheckState = {
    name: config.name,
    type: config.type,
    critical: config.critical,
    affectsHealth: config.affectsHealth,
    status: entry.status,
    paused: entry.paused,
    since: entry.since,
    runs: entry.runs,
    skipped: entry.skipped,
  };
  if (entry.last) state.last = entry.last;
  return state;
}

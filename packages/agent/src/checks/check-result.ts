/**
 * The shapes every health check shares: what a check returns (an outcome), what the registry
 * records about one run (a result), and what a check may use while it runs (the context).
 */

import type { Clock, Logger } from '@vigil/shared';
import type { CheckConfig, CheckType } from '../config/checks-schema.js';
import type { HttpPool } from './http-pool.js';

export type CheckStatus = 'ok' | 'warn' | 'critical';

export interface CheckOutcome {
  status: CheckStatus;
  /** One short human line, e.g. "/ 91.2% used (warn ≥ 85%)". */
  summary: string;
  value?: number;
  unit?: string;
}

export interface CheckResult extends CheckOutcome {
  name: string;
  type: CheckType;
  /** When the run finished, epoch ms. */
  at: number;
  durationMs: number;
  /** Set when the check threw or timed out (the status is then critical). */
  error?: string;
}

export interface CheckContext {
  /** File-integrity baselines live under `${stateDir}/baselines`. */
  stateDir: string;
  logger: Logger;
  clock: Clock;
  httpPool: HttpPool;
  /** The systemctl binary; else $VIGIL_SYSTEMCTL, else `systemctl` on the PATH. */
  systemctl?: string;
}

export interface Check {
  readonly config: CheckConfig;
  /** Resolves with the verdict; the signal fires at the check's timeout or when it is removed. */
  run(signal: AbortSignal): Promise<CheckOutcome>;
  dispose?(): void;
}

const SEVERITY: Record<CheckStatus, number> = { ok: 0, warn: 1, critical: 2 };

export function severity(status: CheckStatus): number {
  return SEVERITY[status];
}

/** The status of a reading against "at or above" thresholds (critical wins). */
export function gradeAtLeast(value: number, warnAt: number | undefined, criticalAt: number | undefined) {
  if (criticalAt !== undefined && value >= criticalAt) return 'critical' as const;
  if (warnAt !== undefined && value >= warnAt) return 'warn' as const;
  return 'ok' as const;
}

/** "(warn ≥ 85%)" for the threshold a reading crossed, "" when it crossed none. */
export function crossedThreshold(status: CheckStatus, warnAt: string, criticalAt: string): string {
  if (status === 'critical') return ` (critical ≥ ${criticalAt})`;
  if (status === 'warn') return ` (warn ≥ ${warnAt})`;
  return '';
}

/** Trims a line for a summary, marking the cut. */
export function clip(text: string, max = 200): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * "For N cycles" in both directions, so one slow run or one lucky run does not flap the status.
 * The displayed status turns bad after `failAfter` consecutive non-ok results, and then follows
 * the latest non-ok severity at once (warn ↔ critical is a change of degree, not of state); it
 * turns ok again after `recoverAfter` consecutive ok results.
 */
import type { CheckStatus } from './check-result.js';

export interface Hysteresis {
  readonly status: CheckStatus;
  /** Consecutive non-ok results so far. */
  readonly badStreak: number;
  /** Consecutive ok results so far. */
  readonly okStreak: number;
}

export interface HysteresisLimits {
  failAfter: number;
  recoverAfter: number;
}

/** A check nobody has run yet shows ok: there is no evidence against it. */
export const INITIAL_HYSTERESIS: Hysteresis = { status: 'ok', badStreak: 0, okStreak: 0 };

export function nextHysteresis(
  state: Hysteresis,
  observed: CheckStatus,
  limits: HysteresisLimits,
): Hysteresis {
  if (observed === 'ok') {
    const okStreak = state.okStreak + 1;
    const status = state.status !== 'ok' && okStreak >= limits.recoverAfter ? 'ok' : state.status;
    return { status, badStreak: 0, okStreak };
  }
  const badStreak = state.badStreak + 1;
  const status = state.status !== 'ok' || badStreak >= limits.failAfter ? observed : state.status;
  return { status, badStreak, okStreak: 0 };
}

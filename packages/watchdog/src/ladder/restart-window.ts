/**
 * The crash-loop guard and the operator budget, as data and pure functions (kept apart from the
 * ladder's table, as s6 keeps "give up after N deaths" apart from the supervisor). The first
 * restart is immediate: a single crash should cost no more than a spawn. Restarts that follow
 * before the agent has been stable back off exponentially with jitter; more than `maxRestarts`
 * within `withinMs` means the agent is failed. Operators' restarts neither wait nor count
 * toward that intensity, so they have a budget of their own. Times are monotonic.
 */

export interface RestartWindow {
  /** Monotonic times of restarts inside the intensity window, oldest first. */
  times: number[];
  /** Restarts since the agent was last stable. */
  consecutive: number;
}

export interface BackoffConfig {
  initialMs: number;
  maxMs: number;
  /** Each delay is shortened by up to this fraction at random, so restarts do not align. */
  jitter: number;
}

export interface WindowConfig {
  maxRestarts: number;
  withinMs: number;
}

export type RestartDecision = { action: 'restart'; delayMs: number } | { action: 'fail'; restarts: number };

export function emptyRestartWindow(): RestartWindow {
  return { times: [], consecutive: 0 };
}

function inWindow(times: readonly number[], now: number, withinMs: number): number[] {
  return times.filter((t) => t > now - withinMs);
}

/** vigil's one backoff: 0 for the first, then initial × 2^(n-1), capped, shortened by jitter. */
export function backoffDelay(consecutive: number, backoff: BackoffConfig, random: () => number): number {
  if (consecutive <= 0) return 0;
  const nominal = Math.min(backoff.maxMs, backoff.initialMs * 2 ** (consecutive - 1));
  return Math.round(nominal * (1 - backoff.jitter * random()));
}

/** The delay before the next restart, or `fail` when the intensity is exceeded. */
export function decideRestart(
  window: RestartWindow,
  now: number,
  config: { backoff: BackoffConfig; intensity: WindowConfig },
  random: () => number,
): RestartDecision {
  const recent = inWindow(window.times, now, config.intensity.withinMs);
  if (recent.length >= config.intensity.maxRestarts) return { action: 'fail', restarts: recent.length };
  return { action: 'restart', delayMs: backoffDelay(window.consecutive, config.backoff, random) };
}

/** A restart happened now. */
export function withRestart(window: RestartWindow, now: number, withinMs: number): RestartWindow {
  return { times: [...inWindow(window.times, now, withinMs), now], consecutive: window.consecutive + 1 };
}

export function restartsInWindow(window: RestartWindow, now: number, withinMs: number): number {
  return inWindow(window.times, now, withinMs).length;
}

export type BudgetCheck = { ok: true } | { ok: false; detail: string };

/** Whole seconds, rounded up: "next allowed in 0 s" would be a lie. */
function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/** Whether an operator may have one more restart now. */
export function operatorBudget(times: readonly number[], now: number, config: WindowConfig): BudgetCheck {
  const spent = inWindow(times, now, config.withinMs);
  if (spent.length < config.maxRestarts) return { ok: true };
  const retryInMs = Math.max(0, (spent[0] as number) + config.withinMs - now);
  return {
    ok: false,
    detail: `operator restart budget spent: ${spent.length} in the last ${seconds(config.withinMs)} s; next allowed in ${seconds(retryInMs)} s`,
  };
}

export function spendOperator(times: readonly number[], now: number, config: WindowConfig): number[] {
  return [...inWindow(times, now, config.withinMs), now];
}

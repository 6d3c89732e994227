/**
 * When a check runs. The first run comes after a random delay below min(interval, 5 s), so
 * checks configured together do not all fire in the same tick; after that every interval ×
 * factor, ± 10%, so they do not drift back into step.
 */

export const FIRST_RUN_SPREAD_MS = 5000;
export const JITTER = 0.1;

export type Random = () => number;

export function firstRunDelay(intervalMs: number, random: Random): number {
  return Math.floor(random() * Math.min(intervalMs, FIRST_RUN_SPREAD_MS));
}

export function nextRunDelay(intervalMs: number, factor: number, random: Random): number {
  const base = intervalMs * factor;
  return Math.round(base * (1 + (random() * 2 - 1) * JITTER));
}

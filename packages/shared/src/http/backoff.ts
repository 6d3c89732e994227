/**
 * vigil's one backoff: nothing before the first retry's turn (n ≤ 0), then `initialMs` doubling
 * with each n up to `maxMs`, shortened by up to `jitter` of itself at random so that many
 * retrying parties do not align. The crash-loop guard and every retry loop use this; p-retry is
 * used as it is only where its own timing serves (a reconnecting socket).
 */
export interface BackoffShape {
  initialMs: number;
  maxMs: number;
  /** 0–1; 0 for no jitter. */
  jitter?: number;
}

export function backoffDelay(n: number, shape: BackoffShape, random: () => number = Math.random): number {
  if (n <= 0) return 0;
  const nominal = Math.min(shape.maxMs, shape.initialMs * 2 ** (n - 1));
  return Math.round(nominal * (1 - (shape.jitter ?? 0) * random()));
}

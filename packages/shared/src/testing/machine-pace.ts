/**
 * How fast this machine is right now, for tests that must bound a duration: the time a bare
 * `node -e 0` takes to spawn and exit, measured once per test process (the best of a few runs,
 * so one hiccup does not count). `paced(ms)` stretches a bound written for a quiet machine by
 * how much slower this one is, never shrinking it, so the suite passes while other work keeps
 * the cores busy without a bound that cannot fail.
 */
import { spawnSync } from 'node:child_process';

/** What a bare node start and exit takes on a quiet 2-core machine here, ms. */
export const QUIET_NODE_START_MS = 40;

let measured: number | undefined;

/** ms for `node -e 0`, spawn to exit, best of three; measured on first use. */
export function nodeStartMs(): number {
  if (measured === undefined) {
    let best = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      spawnSync(process.execPath, ['-e', '0'], { stdio: 'ignore', env: { PATH: process.env.PATH ?? '' } });
      best = Math.min(best, performance.now() - started);
    }
    measured = best;
  }
  return measured;
}

/** How many times slower than a quiet machine this one is now (at least 1). */
export function machineSlowdown(): number {
  return Math.max(1, nodeStartMs() / QUIET_NODE_START_MS);
}

/** A duration bound written for a quiet machine, stretched to this one's pace. */
export function paced(ms: number): number {
  return Math.round(ms * machineSlowdown());
}

/** The ladder's settings, read once from the watchdog's config. */
import type { WatchdogConfig } from '@vigil/shared/config';
import type { LadderConfig } from '../ladder/ladder-state.js';

export function ladderConfig(watchdog: WatchdogConfig): LadderConfig {
  const { recovery } = watchdog;
  return {
    softVerifyMs: recovery.soft.verifyMs,
    mediumVerifyMs: recovery.medium.verifyMs,
    startupGraceMs: watchdog.startup.graceMs,
    stableAfterMs: recovery.backoff.resetAfterMs,
    probeMs: recovery.probeMs,
    risingSamples: 2,
    backoff: {
      initialMs: recovery.backoff.initialMs,
      maxMs: recovery.backoff.maxMs,
      jitter: recovery.backoff.jitter,
    },
    intensity: { maxRestarts: recovery.intensity.maxRestarts, withinMs: recovery.intensity.withinMs },
    operator: { maxRestarts: recovery.operator.maxRestarts, withinMs: recovery.operator.withinMs },
    stopTimeoutMs: recovery.hard.stopTimeoutMs,
    unresponsiveStopTimeoutMs: recovery.hard.unresponsiveStopTimeoutMs,
  };
}

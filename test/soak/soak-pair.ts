/**
 * The pair the soak runs: the default agent with fault injection on, a memory limit (so `leak`
 * is caught) and a CPU limit (so `cpu` is), on the test harness's fast heartbeat timings.
 */
import { Pair, TEST_WATCHDOG_CONFIG } from '../support/pair.ts';
import { MiB } from '../support/vm-rss.ts';
import type { SoakTimings } from './soak-faults.ts';

export const SOAK_WATCHDOG = {
  resources: {
    sampleIntervalMs: 250,
    // The idle agent sits near 110 MiB; a 30–60 MiB/s leak crosses the limit within seconds.
    // The ceiling leaves room for a bloated cache (soft's case) between it and the limit.
    memory: { maxRssBytes: 200 * MiB, ceilingRssBytes: 400 * MiB, forSamples: 2 },
    // One spinning core is ~100%; a starting agent is busy for well under the 2 s this needs,
    // and a hang (which also burns a core) is lost after 1 s, before this could fire.
    cpu: { maxPercent: 40, forSamples: 8 },
  },
  pressure: { maxStretch: 4 },
  recovery: {
    soft: { verifyMs: 2500 },
    medium: { verifyMs: 1500 },
    // The soak restarts the agent on purpose every few seconds for ten minutes. That is not a
    // crash loop, and the crash-loop guard must not turn it into one: the intensity limit is
    // raised out of reach (the default, 5 in 60 s, would mark the agent failed within a minute)
    // and "stable" comes after 250 ms instead of 30 s, so every fault gets the immediate first
    // restart rather than a backoff that grows to 30 s.
    intensity: { maxRestarts: 10_000, withinMs: 60_000 },
    backoff: { resetAfterMs: 250 },
  },
};

export const SOAK_TIMINGS: SoakTimings = {
  heartbeatTimeoutMs: TEST_WATCHDOG_CONFIG.heartbeat.timeoutMs,
  maxStretch: SOAK_WATCHDOG.pressure.maxStretch,
  softVerifyMs: SOAK_WATCHDOG.recovery.soft.verifyMs,
  memoryLimitMib: SOAK_WATCHDOG.resources.memory.maxRssBytes / MiB,
  memoryCeilingMib: SOAK_WATCHDOG.resources.memory.ceilingRssBytes / MiB,
};

export function soakPair(): Pair {
  return new Pair({ watchdog: SOAK_WATCHDOG, agent: { faults: { enabled: true } } });
}

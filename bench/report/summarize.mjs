/**
 * Per peer and scenario: min / median / max of each measured field over the trials that
 * produced it, how many trials never recovered or failed (with their reasons), and for times
 * the ratio of the median to the floor's median.
 */
import { summarize } from '../lib/stats.mjs';
import { CPU_FLOOR_FIELDS } from '../scenarios/cpu-floor.mjs';
import { MEM_FLOOR_FIELDS } from '../scenarios/mem-floor.mjs';

const FIELDS = {
  kill9: ['ms'],
  hang: ['ms'],
  sigstop: ['ms'],
  leak: ['peakMiB', 'overshootPct', 'crossToStartedMs', 'leakToStartedMs'],
  idle: ['rssMB', 'rssMaxMB', 'rssAnonMB', 'cpuPct', 'childrenCpuPct'],
  crashLoop: ['startsIn10s', 'startsInWindow'],
  schedIdle: schedFields(['supervisor', 'watchdog', 'agent', 'pair']),
  schedLimits: schedFields(['supervisor', 'watchdog', 'agent', 'pair']),
  startup: ['startedMs', 'healthyMs', 'bundledHealthyMs'],
  statusLatency: [
    'statusMedianMs',
    'statusP95Ms',
    'humanMedianMs',
    'humanP95Ms',
    'nodeFloorMedianMs',
    'versionMedianMs',
    'versionP95Ms',
  ],
  memFloor: MEM_FLOOR_FIELDS,
  cpuFloor: CPU_FLOOR_FIELDS,
};

/** Fields of lib/sched.mjs's groups, as `group.field` paths into each trial. */
function schedFields(groups) {
  const fields = ['cpuNs', 'cpuPct', 'childrenCpuPct', 'totalCpuPct', 'wakeupsPerSec', 'rssMB', 'rssAnonMB'];
  return groups.flatMap((g) => fields.map((f) => `${g}.${f}`));
}

const at = (trial, path) => path.split('.').reduce((o, key) => o?.[key], trial);

export function summarizePeer(scenarioId, entry, floorMedian) {
  const trials = entry.trials;
  const ok = trials.filter((t) => !t.failed && !t.never);
  const summary = {
    trials: trials.length,
    ok: ok.length,
    never: trials.filter((t) => t.never).length,
    failed: trials.filter((t) => t.failed).length,
    failures: [...new Set(trials.filter((t) => t.failed).map((t) => t.failed))],
  };
  if (entry.unsupported) summary.unsupported = entry.unsupported;
  for (const field of FIELDS[scenarioId] ?? []) {
    const s = summarize(ok.map((t) => at(t, field)));
    if (s) summary[field] = s;
  }
  if (summary.ms && floorMedian) summary.ratioToFloor = summary.ms.median / floorMedian;
  if (summary.crossToStartedMs && floorMedian)
    summary.ratioToFloor = summary.crossToStartedMs.median / floorMedian;
  if (scenarioId === 'leak') {
    const neverPeaks = summarize(trials.filter((t) => t.never && t.peakMiB).map((t) => t.peakMiB));
    if (neverPeaks) summary.peakMiBWhenNever = neverPeaks;
  }
  if (scenarioId === 'crashLoop') {
    const states = {};
    for (const t of ok) states[t.state] = (states[t.state] ?? 0) + 1;
    summary.states = states;
  }
  return summary;
}

export function summarizeRun(results) {
  const floorMs = summarize(results.floor.trials.map((t) => t.ms));
  results.floor.summary = floorMs;
  for (const [id, scenario] of Object.entries(results.scenarios)) {
    for (const entry of Object.values(scenario.peers)) {
      entry.summary = summarizePeer(id, entry, floorMs?.median ?? null);
    }
  }
  return results;
}

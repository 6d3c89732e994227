/**
 * The soak, shared by the CI smoke (~30 s) and the full run (10 minutes): random faults from the
 * SDK's list, in random order with random gaps, into a real pair (each step: soak-step.ts).
 * Throughout, the watchdog must answer `status`, and its RSS must stay flat: sampled every few
 * seconds, fitted by least squares after a warm-up. Writes a report to a temp directory.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { leastSquares } from '../support/least-squares.ts';
import type { Pair } from '../support/pair.ts';
import { PairMonitor } from '../support/pair-monitor.ts';
import { readIncidents } from '../support/read-incidents.ts';
import { MiB } from '../support/vm-rss.ts';
import { faultPlan } from './soak-faults.ts';
import { SOAK_TIMINGS } from './soak-pair.ts';
import { type FaultRecord, printSoakReport, type SoakReport, summarizeFaults } from './soak-report.ts';
import { HEALTHY_DEADLINE_MS, runFaultStep, settle } from './soak-step.ts';

export interface SoakOptions {
  durationMs: number;
  seed: number;
  /** RSS samples before this (from the start) are left out of the slope: JIT, caches, pools. */
  warmupMs: number;
  /** Assert the slope only when the fitted window is at least this long (a short one is noise). */
  slopeMinWindowMs: number;
  slopeLimitMiBPerMin: number;
  rssLimitMiB: number;
  rssEveryMs: number;
  /** Go on after a fault that ended wrongly (each is still a failure), to see the whole run. */
  keepGoing: boolean;
}

export async function soak(pair: Pair, options: SoakOptions): Promise<SoakReport> {
  const reportDir = mkdtempSync(join(tmpdir(), 'vigil-soak-'));
  await pair.start();
  const first = await pair.waitForHealthy(HEALTHY_DEADLINE_MS);
  const monitor = new PairMonitor(pair, { everyMs: options.rssEveryMs, statusDeadlineMs: 3000 }).start();
  // Rounds of seven faults; more than the run can use, since each takes several seconds.
  const plan = faultPlan(Math.ceil(options.durationMs / 10_000) + 1, options.seed, SOAK_TIMINGS);
  const known = new Set<string>();
  const faults: FaultRecord[] = [];
  const failures: string[] = [];
  const started = Date.now();

  for (const [i, step] of plan.entries()) {
    if (Date.now() - started >= options.durationMs || monitor.failed) break;
    const record: FaultRecord = {
      n: i + 1,
      name: step.spec.name,
      spec: step.spec,
      via: step.via,
      gapMs: step.gapMs,
      incidentId: null,
      signal: null,
      rungs: [],
      outcome: null,
      detectMs: null,
      closeMs: null,
      pidBefore: null,
      pidAfter: null,
      problem: undefined,
    };
    faults.push(record);
    try {
      await runFaultStep(pair, step, known, first.watchdog.pid, record);
    } catch (error) {
      record.problem = (error as Error).message;
      failures.push(`fault #${record.n} ${JSON.stringify(step.spec)} via ${step.via}: ${record.problem}`);
      if (!options.keepGoing) break;
      try {
        await settle(pair, known);
      } catch (settling) {
        failures.push(`could not go on: ${(settling as Error).message}`);
        break;
      }
    }
  }
  const elapsedMs = Date.now() - started;
  await monitor.stop();
  failures.push(...monitor.failures);
  const history = readIncidents(pair.paths.historyFile);
  if (history.length !== known.size) {
    failures.push(`${history.length} incidents in the history file, ${known.size} accounted for`);
  }

  const rss = monitor.rss();
  if (rss.maxMiB >= options.rssLimitMiB)
    failures.push(`watchdog RSS max ${rss.maxMiB} MiB over ${options.rssLimitMiB} MiB`);
  const fitted = monitor.samples.filter((s) => s.at >= started + options.warmupMs && s.watchdogRss !== null);
  const fit = leastSquares(
    fitted.map((s) => ({ x: (s.at - started) / 60_000, y: (s.watchdogRss as number) / MiB })),
  );
  const windowMs = (fitted.at(-1)?.at ?? 0) - (fitted[0]?.at ?? 0);
  const asserted = windowMs >= options.slopeMinWindowMs;
  if (asserted && fit.slope >= options.slopeLimitMiBPerMin) {
    failures.push(
      `watchdog RSS grows ${fit.slope.toFixed(3)} MiB/min (limit ${options.slopeLimitMiBPerMin})`,
    );
  }

  const report: SoakReport = {
    seed: options.seed,
    elapsedMs,
    faults,
    byFault: summarizeFaults(faults),
    watchdogRssMiB: { start: rss.startMiB, max: rss.maxMiB, end: rss.endMiB, limit: options.rssLimitMiB },
    slope: {
      mibPerMin: Math.round(fit.slope * 1000) / 1000,
      r2: Math.round(fit.r2 * 100) / 100,
      samples: fit.n,
      windowMin: Math.round((windowMs / 60_000) * 10) / 10,
      asserted,
      limit: options.slopeLimitMiBPerMin,
    },
    failures,
    reportDir,
  };
  const rssSamples = monitor.samples.map((s) => [s.at - started, s.watchdogRss]);
  writeFileSync(join(reportDir, 'report.json'), `${JSON.stringify({ ...report, rssSamples }, null, 2)}\n`);
  printSoakReport(report);
  return report;
}

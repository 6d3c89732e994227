/** What a soak run reports per fault and overall, how it prints, and what is asserted on it. */
import assert from 'node:assert/strict';
import type { FaultStep } from './soak-faults.ts';

export interface FaultRecord {
  n: number;
  name: string;
  spec: FaultStep['spec'];
  via: FaultStep['via'];
  gapMs: number;
  incidentId: string | null;
  signal: string | null;
  rungs: string[];
  outcome: string | null;
  /** Injection to incident opened, and to incident closed (restart done or resolved), ms. */
  detectMs: number | null;
  closeMs: number | null;
  pidBefore: number | null;
  pidAfter: number | null;
  problem: string | undefined;
}

export interface FaultSummary {
  count: number;
  detectMsMax: number;
  closeMsAvg: number;
  closeMsMax: number;
}

export interface SoakReport {
  seed: number;
  elapsedMs: number;
  faults: FaultRecord[];
  byFault: Record<string, FaultSummary>;
  watchdogRssMiB: { start: number; max: number; end: number; limit: number };
  slope: {
    mibPerMin: number;
    r2: number;
    samples: number;
    windowMin: number;
    asserted: boolean;
    limit: number;
  };
  failures: string[];
  reportDir: string;
}

export function summarizeFaults(faults: readonly FaultRecord[]): Record<string, FaultSummary> {
  const byFault: Record<string, FaultSummary> = {};
  for (const f of faults) {
    if (f.closeMs === null) continue;
    const entry = byFault[f.name] ?? { count: 0, detectMsMax: 0, closeMsAvg: 0, closeMsMax: 0 };
    byFault[f.name] = entry;
    entry.closeMsAvg = Math.round((entry.closeMsAvg * entry.count + f.closeMs) / (entry.count + 1));
    entry.count++;
    entry.detectMsMax = Math.max(entry.detectMsMax, f.detectMs ?? 0);
    entry.closeMsMax = Math.max(entry.closeMsMax, f.closeMs);
  }
  return byFault;
}

export function printSoakReport(r: SoakReport): void {
  const cell = (v: number, w: number) => String(Math.round(v)).padStart(w);
  const slope = r.slope.asserted ? `limit ${r.slope.limit}` : 'too short to assert';
  const lines = [
    `soak: ${r.faults.length} faults in ${(r.elapsedMs / 1000).toFixed(0)} s (seed ${r.seed})`,
    '  fault            count  detect max ms  closed avg ms  closed max ms',
    ...Object.entries(r.byFault).map(
      ([name, f]) =>
        `  ${name.padEnd(16)} ${cell(f.count, 5)}  ${cell(f.detectMsMax, 13)}  ${cell(f.closeMsAvg, 13)}  ${cell(f.closeMsMax, 13)}`,
    ),
    `  watchdog RSS MiB: start ${r.watchdogRssMiB.start}, max ${r.watchdogRssMiB.max}, end ${r.watchdogRssMiB.end}; slope ${r.slope.mibPerMin} MiB/min (r² ${r.slope.r2}, ${r.slope.samples} samples over ${r.slope.windowMin} min after warm-up, ${slope})`,
    `  report: ${r.reportDir}/report.json`,
  ];
  if (r.failures.length) lines.push(`  FAILURES:\n    ${r.failures.join('\n    ')}`);
  console.log(lines.join('\n'));
}

export function assertSoakReport(report: SoakReport, minFaults: number): void {
  assert.deepEqual(report.failures, [], `soak failures (details in ${report.reportDir})`);
  assert.ok(
    report.faults.length >= minFaults,
    `${report.faults.length} faults injected, at least ${minFaults}`,
  );
}

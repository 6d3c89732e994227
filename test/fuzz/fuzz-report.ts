/** What a socket fuzz run reports, how it prints, and the assertions both entry points make. */
import assert from 'node:assert/strict';
import type { CampaignStats } from './fuzz-campaign.ts';

export interface FuzzReport {
  seed: number;
  skipped: string[];
  elapsedMs: number;
  framesTotal: number;
  propertyFrames: number;
  framesPerSecond: number;
  cycles: number;
  connections: number;
  watchdogRssMiB: { start: number; max: number; end: number; limit: number };
  statusMs: { max: number; p99: number };
  worstHeartbeatAgoMs: number;
  heartbeatTimeoutMs: number;
  campaign: Omit<CampaignStats, 'recent'>;
  failures: string[];
  reportDir: string;
}

const counts = (table: Record<string, number>) =>
  Object.entries(table)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');

export function printFuzzReport(r: FuzzReport): void {
  const c = r.campaign;
  const skipped = r.skipped.length ? `, skipped ${r.skipped.join(',')}` : '';
  const lines = [
    `socket fuzz: ${r.framesTotal} frames (${r.propertyFrames} in fc.assert properties) and ${r.cycles} connect/disconnect cycles over ${r.connections} connections in ${(r.elapsedMs / 1000).toFixed(1)} s: ${r.framesPerSecond} frames/s (seed ${r.seed}${skipped})`,
    `  watchdog RSS MiB: start ${r.watchdogRssMiB.start}, max ${r.watchdogRssMiB.max}, end ${r.watchdogRssMiB.end} (limit ${r.watchdogRssMiB.limit})`,
    `  status round trip: max ${r.statusMs.max} ms, p99 ${r.statusMs.p99} ms; worst last-heartbeat age ${r.worstHeartbeatAgoMs} ms (timeout ${r.heartbeatTimeoutMs} ms); slowest server reaction ${Math.round(c.maxReactionMs)} ms`,
    `  frames by family: ${counts(c.byFamily)}`,
    `  frames by target: agent ${c.byTarget.agent}, control ${c.byTarget.control}; deliveries: ${counts(c.byDelivery)}`,
    `  connections ended: ${counts(c.byEnd)}`,
    `  cycles: ${counts(c.byCycle)}`,
    `  frames the watchdog's own parser throws on (oracle): ${c.parserThrew.count}${c.parserThrew.first ? ` (${c.parserThrew.first})` : ''}`,
    `  report: ${r.reportDir}/report.json`,
  ];
  if (r.failures.length) lines.push(`  FAILURES:\n    ${r.failures.slice(0, 12).join('\n    ')}`);
  console.log(lines.join('\n'));
}

export function assertFuzzReport(report: FuzzReport, goals: { frames: number; cycles: number }): void {
  assert.deepEqual(report.failures, [], `fuzz failures (details in ${report.reportDir})`);
  assert.ok(
    report.watchdogRssMiB.max < report.watchdogRssMiB.limit,
    `watchdog RSS max ${report.watchdogRssMiB.max} MiB under ${report.watchdogRssMiB.limit} MiB`,
  );
  assert.ok(report.framesTotal >= goals.frames, `${report.framesTotal} frames sent, goal ${goals.frames}`);
  assert.ok(report.cycles >= goals.cycles, `${report.cycles} cycles, goal ${goals.cycles}`);
}

/**
 * The socket fuzz, shared by the CI smoke (time-boxed) and the full run (counted): a real pair
 * with the default agent, properties first (fc.assert), then the campaign, with the pair watched
 * throughout. The watchdog must never die, must always answer `status` within the deadline and
 * stay under an RSS bound; the real agent's session must never notice: same pid, healthy,
 * heartbeats within the timeout, no incident. Writes a report (and, on failure, the last plans
 * sent) to a temp directory and prints where.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StatusSnapshot } from '@vigil/shared';
import { Pair, TEST_WATCHDOG_CONFIG } from '../support/pair.ts';
import { PairMonitor, type PairSample } from '../support/pair-monitor.ts';
import { percentile } from '../support/percentile.ts';
import { isAlive } from '../support/processes.ts';
import type { Frame } from './frame-families.ts';
import { runCampaign } from './fuzz-campaign.ts';
import { type FuzzReport, printFuzzReport } from './fuzz-report.ts';
import { assertReactions, familiesFor } from './socket-properties.ts';

export interface FuzzOptions {
  /** Time box for the whole fuzz (properties + campaign). */
  durationMs: number;
  /** Counted goals for the campaign; Infinity in a time-boxed run. */
  frames: number;
  cycles: number;
  seed: number;
  concurrency: number;
  /** fc.assert runs per property (control, agent, foreign hello). */
  propertyRuns: number;
  skip: ReadonlySet<string>;
  longHolds: boolean;
  rssLimitMiB: number;
}

const TIMEOUT_MS = TEST_WATCHDOG_CONFIG.heartbeat.timeoutMs;
const STATUS_DEADLINE_MS = 2000;
const REACT_MS = 5000;

/** The pair the fuzz runs against: the default agent, fault injection off. */
export function fuzzPair(): Pair {
  return new Pair({ agent: { faults: { enabled: false } } });
}

/** The real agent, or any process under it: a hello with such a pid would be admitted. */
function isAgentOrChild(pid: number, agentPid: number): boolean {
  let at = pid;
  for (let hops = 0; hops < 64 && Number.isSafeInteger(at) && at > 1; hops++) {
    if (at === agentPid) return true;
    try {
      const stat = readFileSync(`/proc/${at}/stat`, 'utf8');
      at = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    } catch {
      return false;
    }
  }
  return false;
}

export async function fuzzSockets(pair: Pair, options: FuzzOptions): Promise<FuzzReport> {
  const reportDir = mkdtempSync(join(tmpdir(), 'vigil-fuzz-'));
  await pair.start();
  const first = await pair.waitForHealthy();
  const agentPid = first.agent.pid as number;
  const watchdogPid = first.watchdog.pid;
  const expect = (s: PairSample, status: StatusSnapshot | null): string | undefined => {
    if (!status) return undefined;
    if (s.agentPid !== agentPid) return `the agent changed: pid ${s.agentPid}, was ${agentPid}`;
    if (s.agentState !== 'healthy') return `the agent is ${s.agentState}`;
    if ((s.lastHeartbeatAgoMs ?? Infinity) >= TIMEOUT_MS)
      return `last heartbeat ${s.lastHeartbeatAgoMs} ms ago (timeout ${TIMEOUT_MS} ms)`;
    if (s.incidentId !== null || (s.recentIncidents ?? 0) > 0)
      return `an incident: ${s.incidentId ?? JSON.stringify(status.incidents[0]?.signal)}`;
    if (s.restarts !== 0) return `the agent was restarted ${s.restarts} times`;
    if ((s.watchdogRss ?? 0) > options.rssLimitMiB * 1024 * 1024)
      return `watchdog RSS ${Math.round((s.watchdogRss ?? 0) / 1048576)} MiB over ${options.rssLimitMiB} MiB`;
    return undefined;
  };
  const monitor = new PairMonitor(pair, {
    everyMs: 250,
    statusDeadlineMs: STATUS_DEADLINE_MS,
    expect,
  }).start();
  const context = { isAgentPid: (pid: number) => isAgentOrChild(pid, agentPid) };
  const sockets = { agent: pair.paths.agentSocket, control: pair.paths.controlSocket };
  const started = performance.now();
  const failures: string[] = [];
  const recentProperty: Frame[] = [];
  let propertyFrames = 0;

  // Properties first: a few hundred single frames per socket, each reaction checked exactly.
  const propertyBudget = Math.min(options.durationMs / 5, 60_000);
  for (const [i, target, families] of [
    [1, 'control', familiesFor('control', options.skip)],
    [2, 'agent', familiesFor('agent', options.skip)],
    [3, 'agent', ['foreign-hello' as const]],
  ] as const) {
    if (monitor.failed) break;
    try {
      propertyFrames += await assertReactions({
        socketPath: sockets[target],
        target,
        families,
        numRuns: options.propertyRuns,
        seed: options.seed + i,
        timeLimitMs: propertyBudget / 3,
        reactMs: REACT_MS,
        context,
        onFrame: (frame) => {
          recentProperty.push(frame);
          if (recentProperty.length > 16) recentProperty.shift();
        },
      });
    } catch (error) {
      failures.push((error as Error).message);
      break;
    }
  }

  const campaign = await runCampaign({
    sockets,
    seed: options.seed,
    concurrency: options.concurrency,
    frames: options.frames,
    cycles: options.cycles,
    framesPerCycle: 100,
    durationMs: Math.max(0, options.durationMs - (performance.now() - started)),
    skip: options.skip,
    longHolds: options.longHolds,
    reactMs: REACT_MS,
    context,
    shouldStop: () => monitor.failed || failures.length > 0,
  });
  const elapsedMs = Math.round(performance.now() - started);
  await monitor.stop();
  // After the abuse: one more look, and the full history.
  await monitor.sampleNow();
  failures.push(...campaign.problems, ...monitor.failures);
  if (!isAlive(watchdogPid)) failures.push(`the watchdog (pid ${watchdogPid}) is not alive at the end`);
  else {
    const history = await pair.history(100).catch((error: Error) => error);
    if (history instanceof Error) failures.push(`history failed at the end: ${history.message}`);
    else if (history.length) failures.push(`incidents in history: ${JSON.stringify(history).slice(0, 500)}`);
  }
  if (!isAlive(agentPid)) failures.push(`the agent (pid ${agentPid}) is not alive at the end`);

  const answered = monitor.samples.filter((s) => s.statusMs !== null);
  const rss = monitor.rss();
  const { recent, ...campaignSummary } = campaign;
  const framesTotal = campaign.frames + propertyFrames;
  const report: FuzzReport = {
    seed: options.seed,
    skipped: [...options.skip],
    elapsedMs,
    framesTotal,
    propertyFrames,
    framesPerSecond: Math.round(framesTotal / Math.max(0.001, elapsedMs / 1000)),
    cycles: campaign.cycles,
    connections: campaign.connections,
    watchdogRssMiB: { start: rss.startMiB, max: rss.maxMiB, end: rss.endMiB, limit: options.rssLimitMiB },
    statusMs: {
      max: Math.max(0, ...answered.map((s) => s.statusMs as number)),
      p99: percentile(
        answered.map((s) => s.statusMs as number),
        99,
      ),
    },
    worstHeartbeatAgoMs: Math.max(0, ...answered.map((s) => s.lastHeartbeatAgoMs ?? 0)),
    heartbeatTimeoutMs: TIMEOUT_MS,
    campaign: campaignSummary,
    failures,
    reportDir,
  };
  writeFileSync(join(reportDir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  if (failures.length) {
    writeFileSync(
      join(reportDir, 'last-plans.json'),
      `${JSON.stringify({ campaign: recent, properties: recentProperty.map((f) => ({ family: f.family, base64: f.bytes.toString('base64') })) }, null, 2)}\n`,
    );
    if (existsSync(pair.paths.watchdogLog))
      copyFileSync(pair.paths.watchdogLog, join(reportDir, 'watchdog.log'));
  }
  printFuzzReport(report);
  return report;
}

/**
 * One phase of the load benchmark: a healthy pair under one kind of host load (stress-ng) for a
 * window, watched every 100 ms: does the watchdog kill an agent that is only starving? Then,
 * still under the same load, a genuinely hung agent (`hang` fault): is it still caught, and how
 * fast?
 */
import { readFileSync } from 'node:fs';
import type { Incident } from '@vigil/shared';
import { waitFor } from '@vigil/shared/testing';
import type { Pair } from '../support/pair.ts';
import { PairMonitor } from '../support/pair-monitor.ts';
import { percentile } from '../support/percentile.ts';
import { readIncidents } from '../support/read-incidents.ts';
import { StressNg } from './stress-ng.ts';

export type PhaseName = 'idle' | 'cpu' | 'vm' | 'io';

export interface PhaseSettings {
  windowMs: number;
  /** stress-ng --vm-bytes (a share of available memory, split across the workers). */
  vmBytes: string;
  /** Where the io phase's --hdd writes. */
  tmpDir: string;
}

export function stressArgs(phase: PhaseName, s: PhaseSettings): string[] | null {
  switch (phase) {
    case 'cpu':
      return ['--cpu', '2', '--cpu-load', '100'];
    case 'vm':
      return ['--vm', '2', '--vm-bytes', s.vmBytes];
    case 'io':
      return ['--io', '2', '--hdd', '1', '--hdd-bytes', '1g', '--temp-path', s.tmpDir];
    case 'idle':
      return null;
  }
}

export interface HangResult {
  /** Fault confirmed (the agent answered, then blocked) to incident opened, ms. */
  detectMs: number | null;
  /** Fault confirmed to incident closed as restarted (the new agent said hello), ms. */
  restartedMs: number | null;
  signal: string | null;
  rungs: string[];
  outcome: string | null;
  error: string | null;
}

export interface PhaseResult {
  phase: PhaseName;
  stress: string | null;
  windowMs: number;
  samples: number;
  worstHeartbeatAgoMs: number;
  p99HeartbeatAgoMs: number;
  worstEventLoopLagMs: number;
  statusMaxMs: number;
  statusFailures: number;
  /** Incidents that opened during the window: false positives, all of them. */
  incidents: { signal: string | null; rungs: string[]; outcome: string | null; detail: string | undefined }[];
  hardRestarts: number;
  agentPidChanges: number;
  pressureMax: { cpu: number; memory: number; io: number; load1: number };
  stressRanThroughout: boolean;
  stressOutput: string | null;
  hang: HangResult;
}

function psiSome(resource: string): number {
  try {
    return Number(/some avg10=([\d.]+)/.exec(readFileSync(`/proc/pressure/${resource}`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

async function catchHang(pair: Pair, known: ReadonlySet<string>): Promise<HangResult> {
  const result: HangResult = {
    detectMs: null,
    restartedMs: null,
    signal: null,
    rungs: [],
    outcome: null,
    error: null,
  };
  try {
    await pair.request({ op: 'fault', fault: { name: 'hang' } }, 30_000);
    // The agent blocks right after its answer leaves: this is the moment the hang starts.
    const confirmedAt = Date.now();
    let incident: Incident | undefined;
    await waitFor(
      async () => {
        const status = await pair.status();
        incident = status.incidents.find((i) => !known.has(i.id) && i.closedAt !== null);
        return incident !== undefined;
      },
      90_000,
      'the hung agent to be caught and restarted',
      100,
    );
    const found = incident as Incident;
    Object.assign(result, {
      detectMs: found.openedAt - confirmedAt,
      restartedMs: (found.closedAt as number) - confirmedAt,
      signal: found.signal,
      rungs: found.rungs,
      outcome: found.outcome,
    });
    await pair.waitForHealthy(60_000);
  } catch (error) {
    result.error = (error as Error).message;
  }
  return result;
}

export async function runPhase(pair: Pair, phase: PhaseName, settings: PhaseSettings): Promise<PhaseResult> {
  const args = stressArgs(phase, settings);
  const stress = args ? new StressNg(args) : null;
  const before = await pair.waitForHealthy(60_000);
  const known = new Set(readIncidents(pair.paths.historyFile).map((i) => i.id));
  const pressureMax = { cpu: 0, memory: 0, io: 0, load1: 0 };
  const pressureTimer = setInterval(() => {
    pressureMax.cpu = Math.max(pressureMax.cpu, psiSome('cpu'));
    pressureMax.memory = Math.max(pressureMax.memory, psiSome('memory'));
    pressureMax.io = Math.max(pressureMax.io, psiSome('io'));
    pressureMax.load1 = Math.max(
      pressureMax.load1,
      Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]),
    );
  }, 1000);
  const monitor = new PairMonitor(pair, { everyMs: 100, statusDeadlineMs: 5000 });
  let stressRanThroughout = true;
  try {
    // The window plus the hang check, with room: stress-ng's own timeout is only a backstop.
    stress?.start(settings.windowMs / 1000 + 300, settings.tmpDir);
    monitor.start();
    const windowStart = Date.now();
    while (Date.now() - windowStart < settings.windowMs) {
      await new Promise((r) => setTimeout(r, 1000));
      if (stress && !stress.alive) stressRanThroughout = false;
    }
    await monitor.stop();
    const windowEnd = Date.now();
    const after = await pair.status();
    const incidents = readIncidents(pair.paths.historyFile).filter(
      (i) => !known.has(i.id) && i.openedAt >= windowStart - 1000 && i.openedAt <= windowEnd,
    );
    for (const i of incidents) known.add(i.id);
    const answered = monitor.samples.filter((s) => s.statusMs !== null);
    const pids = new Set(answered.map((s) => s.agentPid).filter((p) => p !== null));
    const hang = await catchHang(pair, known);
    return {
      phase,
      stress: args ? `stress-ng ${args.join(' ')}` : null,
      windowMs: windowEnd - windowStart,
      samples: monitor.samples.length,
      worstHeartbeatAgoMs: Math.max(0, ...answered.map((s) => s.lastHeartbeatAgoMs ?? 0)),
      p99HeartbeatAgoMs: percentile(
        answered.map((s) => s.lastHeartbeatAgoMs ?? 0),
        99,
      ),
      worstEventLoopLagMs: Math.max(0, ...answered.map((s) => s.eventLoopLagMs ?? 0)),
      statusMaxMs: Math.max(0, ...answered.map((s) => s.statusMs as number)),
      statusFailures: monitor.samples.length - answered.length,
      incidents: incidents.map((i) => ({
        signal: i.signal,
        rungs: i.rungs,
        outcome: i.outcome,
        detail: i.detail,
      })),
      // Three views of the same thing, which must all be zero: hard rungs, restarts, new pids.
      hardRestarts: Math.max(
        incidents.filter((i) => i.rungs.includes('hard')).length,
        after.agent.restarts - before.agent.restarts,
        pids.size - 1,
      ),
      agentPidChanges: Math.max(0, pids.size - 1),
      pressureMax,
      stressRanThroughout,
      stressOutput: stress && !stressRanThroughout ? stress.output : null,
      hang,
    };
  } finally {
    clearInterval(pressureTimer);
    await monitor.stop();
    await stress?.stop();
  }
}

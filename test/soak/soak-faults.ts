/**
 * The faults the soak injects (the agent SDK's list, `vigil chaos --help`), each with options
 * chosen so its outcome is deterministic under the soak's config, and what that outcome must be.
 *
 *   hang, stop-heartbeat      heartbeat-lost → hard → restarted
 *   slow-heartbeat            interval above timeoutMs × pressure.maxStretch, so even a stretched
 *                             deadline passes first: heartbeat-lost → hard → restarted
 *   crash                     exit (with the code asked for) → hard → restarted
 *   leak                      memory → … → hard → restarted (memory-ceiling if it overtakes)
 *   cpu                       no `seconds`, so neither soft nor medium stops the spin:
 *                             cpu → soft → medium → hard → restarted
 *   fail-health               `seconds` well inside the soft verify window: self-failing →
 *                             soft → resolved, same pid, no restart
 *   bloat                     a cache that takes the agent past the memory limit but stays under
 *                             the ceiling: memory → soft (drops it) → resolved, no restart
 */

import type { FaultName, FaultSpec, Incident, SignalKind } from '@vigil/shared';
import fc from 'fast-check';

export type SoakFault = Exclude<FaultName, 'clear'>;
export const SOAK_FAULTS: readonly SoakFault[] = [
  'hang',
  'stop-heartbeat',
  'slow-heartbeat',
  'leak',
  'cpu',
  'crash',
  'fail-health',
  'bloat',
];

export interface FaultStep {
  spec: FaultSpec;
  /** Through the CLI (`vigil chaos`) or straight to the control socket. */
  via: 'cli' | 'socket';
  /** Pause after the pair is healthy again, before this fault. */
  gapMs: number;
}

/** Soak timings the options below are chosen against (see soak-pair.ts). */
export interface SoakTimings {
  heartbeatTimeoutMs: number;
  maxStretch: number;
  softVerifyMs: number;
  /** The soak's memory limit and ceiling, in MiB. */
  memoryLimitMib: number;
  memoryCeilingMib: number;
}

function specFor(name: SoakFault, t: SoakTimings): fc.Arbitrary<FaultSpec> {
  switch (name) {
    case 'hang':
    case 'stop-heartbeat':
    case 'cpu':
      return fc.constant({ name });
    case 'slow-heartbeat': {
      const beyond = t.heartbeatTimeoutMs * t.maxStretch;
      return fc.integer({ min: beyond * 2, max: beyond * 5 }).map((intervalMs) => ({ name, intervalMs }));
    }
    case 'leak':
      return fc.integer({ min: 30, max: 60 }).map((mbPerSec) => ({ name, mbPerSec }));
    case 'crash':
      return fc.integer({ min: 0, max: 255 }).map((exitCode) => ({ name, exitCode }));
    case 'bloat': {
      // Grown in half a second, by an amount that takes an agent idling anywhere in 60–240 MiB
      // (it sits near 110) over the limit and leaves it under the ceiling: soft must see it,
      // the ceiling must not.
      const min = t.memoryLimitMib - 60;
      const max = t.memoryCeilingMib - 240;
      return fc.integer({ min, max }).map((mib) => ({ name, mbPerSec: mib * 2, seconds: 0.5 }));
    }
    default:
      // fail-health: long enough for the detector (a few beats), short enough to clear inside
      // soft's verify window.
      return fc
        .integer({ min: 1000, max: Math.min(1500, t.softVerifyMs - 1000) })
        .map((ms) => ({ name, seconds: ms / 1000 }));
  }
}

/** An endless-enough plan: shuffled rounds of every fault, so even a short run sees variety. */
export function faultPlan(rounds: number, seed: number, t: SoakTimings): FaultStep[] {
  const round = fc.shuffledSubarray([...SOAK_FAULTS], {
    minLength: SOAK_FAULTS.length,
    maxLength: SOAK_FAULTS.length,
  });
  const order = fc.sample(round, { numRuns: rounds, seed }).flat();
  return order.map((name, i) => {
    const [step] = fc.sample(
      fc.record({
        spec: specFor(name, t),
        via: fc.constantFrom<'cli' | 'socket'>('cli', 'socket'),
        gapMs: fc.integer({ min: 500, max: 3000 }),
      }),
      { numRuns: 1, seed: seed + i + 1 },
    );
    return step as FaultStep;
  });
}

/** `vigil chaos` arguments for a spec. */
export function chaosArgs(spec: FaultSpec): string[] {
  const args = ['chaos', spec.name];
  if (spec.seconds !== undefined) args.push('--seconds', String(spec.seconds));
  if (spec.mbPerSec !== undefined) args.push('--mb-per-sec', String(spec.mbPerSec));
  if (spec.exitCode !== undefined) args.push('--exit-code', String(spec.exitCode));
  if (spec.intervalMs !== undefined) args.push('--interval-ms', String(spec.intervalMs));
  return args;
}

export interface Expected {
  signals: readonly SignalKind[];
  outcome: 'restarted' | 'resolved';
  restart: boolean;
}

export function expectedFor(spec: FaultSpec): Expected {
  switch (spec.name) {
    case 'hang':
      // A hang burns a core too. On a host under pressure the heartbeat deadline is stretched
      // (up to maxStretch), and the CPU limit's window can close first: cpu → soft, which a hung
      // loop cannot answer, then heartbeat-lost takes it to hard (checked below).
      return { signals: ['heartbeat-lost', 'cpu'], outcome: 'restarted', restart: true };
    case 'stop-heartbeat':
    case 'slow-heartbeat':
      return { signals: ['heartbeat-lost'], outcome: 'restarted', restart: true };
    case 'crash':
      return { signals: ['exit'], outcome: 'restarted', restart: true };
    case 'leak':
      return { signals: ['memory', 'memory-ceiling'], outcome: 'restarted', restart: true };
    case 'cpu':
      return { signals: ['cpu'], outcome: 'restarted', restart: true };
    case 'bloat':
      return { signals: ['memory'], outcome: 'resolved', restart: false };
    default:
      return { signals: ['self-failing'], outcome: 'resolved', restart: false };
  }
}

/** What is wrong with the incident a fault produced, if anything. */
export function checkIncident(spec: FaultSpec, incident: Incident): string | undefined {
  const expected = expectedFor(spec);
  const seen = `signal ${incident.signal}, rungs [${incident.rungs.join(', ')}], outcome ${incident.outcome}`;
  if (!expected.signals.includes(incident.signal))
    return `expected signal ${expected.signals.join(' or ')}; got ${seen}`;
  if (incident.outcome !== expected.outcome) return `expected outcome ${expected.outcome}; got ${seen}`;
  const rungs = incident.rungs.join(',');
  switch (spec.name) {
    case 'hang':
      if (incident.signal === 'cpu') {
        if (incident.rungs[0] !== 'soft' || incident.rungs.at(-1) !== 'hard')
          return `expected a hang seen as cpu to climb from soft to hard; got ${seen}`;
        break;
      }
      if (rungs !== 'hard') return `expected rungs [hard]; got ${seen}`;
      break;
    case 'stop-heartbeat':
    case 'slow-heartbeat':
    case 'crash':
      if (rungs !== 'hard') return `expected rungs [hard]; got ${seen}`;
      break;
    case 'cpu':
      if (rungs !== 'soft,medium,hard') return `expected rungs [soft, medium, hard]; got ${seen}`;
      break;
    case 'leak':
      if (incident.rungs.at(-1) !== 'hard') return `expected the climb to end at hard; got ${seen}`;
      break;
    case 'fail-health':
    case 'bloat':
      if (rungs !== 'soft') return `expected rungs [soft]; got ${seen}`;
      break;
  }
  if (
    spec.name === 'crash' &&
    !new RegExp(`exited with code ${spec.exitCode}\\b`).test(incident.detail ?? '')
  ) {
    return `expected "exited with code ${spec.exitCode}" in the detail; got ${JSON.stringify(incident.detail)}`;
  }
  if (spec.name === 'hang' && incident.evidence?.source !== 'stall-sentinel') {
    return `expected stall-sentinel evidence for a hang; got ${JSON.stringify(incident.evidence)}`;
  }
  return undefined;
}

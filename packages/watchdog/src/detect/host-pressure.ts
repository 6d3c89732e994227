/**
 * Is the agent starving rather than stuck? A heartbeat can be late because the agent's event
 * loop is blocked (stuck), or because the host gives it no CPU, memory or IO (starving). The
 * agent's own scheduler statistics tell the two apart: a blocked loop burns CPU (or sleeps)
 * without waiting for a CPU; a starving agent sits runnable on the queue, or in disk wait.
 * Host-wide pressure (/proc/pressure, PSI) backs that up.
 */
import { readFileSync } from 'node:fs';
import type { SchedStat } from '../process/proc-stat.js';

export interface PressureReading {
  cpuSome: number;
  memorySome: number;
  ioSome: number;
}

function avg10(file: string): number {
  try {
    const match = /some avg10=([\d.]+)/.exec(readFileSync(file, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** PSI "some avg10" percentages; zeros where the kernel has no PSI. */
export function readPressure(root = '/proc/pressure'): PressureReading {
  return { cpuSome: avg10(`${root}/cpu`), memorySome: avg10(`${root}/memory`), ioSome: avg10(`${root}/io`) };
}

export interface StarvationInput {
  /** Scheduler stats of the agent at its last heartbeat and now. */
  before: SchedStat | null;
  after: SchedStat | null;
  elapsedMs: number;
  /** /proc state letter now: D (disk wait) is starving for IO. */
  state: string | null;
  pressure: PressureReading;
}

export interface StarvationVerdict {
  starving: boolean;
  /** Share of the elapsed time the agent spent on a CPU: a stuck loop burns it. */
  cpuShare: number;
  /** Share it spent runnable, waiting for a CPU. */
  waitShare: number;
  reason: string;
}

/** Thresholds: PSI percentages above these mean the host is under real pressure. */
const PSI_LIMITS = { cpuSome: 40, memorySome: 10, ioSome: 40 };

export function judgeStarvation(input: StarvationInput): StarvationVerdict {
  const elapsedNs = Math.max(1, input.elapsedMs * 1e6);
  const cpuShare = input.before && input.after ? (input.after.cpuNs - input.before.cpuNs) / elapsedNs : 0;
  const waitShare = input.before && input.after ? (input.after.waitNs - input.before.waitNs) / elapsedNs : 0;
  const base = { cpuShare, waitShare };
  // A loop that spins without heartbeats is stuck however loaded the host is.
  if (cpuShare >= 0.25 && cpuShare >= waitShare) {
    return {
      ...base,
      starving: false,
      reason: `burning ${(cpuShare * 100).toFixed(0)}% CPU without heartbeats`,
    };
  }
  if (waitShare >= 0.1) {
    return {
      ...base,
      starving: true,
      reason: `waiting for a CPU ${(waitShare * 100).toFixed(0)}% of the time`,
    };
  }
  if (input.state === 'D') return { ...base, starving: true, reason: 'in uninterruptible disk wait' };
  const p = input.pressure;
  if (p.memorySome >= PSI_LIMITS.memorySome) {
    return { ...base, starving: true, reason: `host memory pressure ${p.memorySome}%` };
  }
  if (p.ioSome >= PSI_LIMITS.ioSome && input.state !== 'S') {
    return { ...base, starving: true, reason: `host IO pressure ${p.ioSome}%` };
  }
  if (p.cpuSome >= PSI_LIMITS.cpuSome && cpuShare < 0.05 && input.state === 'R') {
    return { ...base, starving: true, reason: `host CPU pressure ${p.cpuSome}%` };
  }
  return {
    ...base,
    starving: false,
    reason: 'not starved: the agent is idle or blocked without load to blame',
  };
}

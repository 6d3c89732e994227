/**
 * Everything the recovery ladder decides on, as one plain value: the phase, the open incident,
 * the command in flight, the pause, what follows a stop, the crash-loop guard's and the operator
 * budget's restart times, and which timer of each name is the live one. Nothing else holds a
 * ladder fact: status is derived from this value, and `step` (ladder-step.ts) is the only thing
 * that makes a new one.
 */
import type { Rung, SignalKind } from '@vigil/shared';
import { emptyRestartWindow, type RestartWindow } from './restart-window.js';

export type LadderPhase =
  | 'stopped'
  | 'starting'
  | 'running'
  | 'soft'
  | 'medium'
  | 'stopping'
  | 'backoff'
  | 'failed';

export const LADDER_PHASES: readonly LadderPhase[] = [
  'stopped',
  'starting',
  'running',
  'soft',
  'medium',
  'stopping',
  'backoff',
  'failed',
];

export type TimerName = 'verify' | 'backoff' | 'probe' | 'grace' | 'stable' | 'pause';

export interface OpenIncident {
  id: string;
  signal: SignalKind;
  detail: string;
  /** Wall time it opened (epoch ms, for the record) and monotonic time (for its duration). */
  openedAtWall: number;
  openedAt: number;
  rungs: Rung[];
}

export interface ActiveSignal {
  detail: string;
  since: number;
}

export interface PendingCommand {
  id: string;
  level: 'soft' | 'medium';
  sentAt: number;
  /** Monotonic time the result came; null while it is awaited. */
  resultAt: number | null;
}

/** Maintenance: no recovery action until resumed, or until `until` (monotonic) passes. */
export interface Pause {
  until: number | null;
  /** The same end in wall time, for display. */
  untilWall: number | null;
}

/** What the next `stopped` leads to. */
export type AfterStop = 'restart' | 'operator-restart';

export interface LadderState {
  phase: LadderPhase;
  incident: OpenIncident | null;
  /** Signals raised and not cleared, by kind: their detail and since when (monotonic). */
  active: Partial<Record<SignalKind, ActiveSignal>>;
  pending: PendingCommand | null;
  /** Consecutive rising samples seen since the current rung's result. */
  rising: number;
  /** True from the moment the intensity was exceeded until an agent is up again. */
  failed: boolean;
  paused: Pause | null;
  afterStop: AfterStop;
  /** Monotonic time of the next start while backing off or probing. */
  nextRetryAt: number | null;
  /** The crash-loop guard's data. */
  restarts: RestartWindow;
  /** Monotonic times of operator restarts inside their budget's window. */
  operatorRestarts: number[];
  /** Restarts of the agent since the watchdog started (for status). */
  restartCount: number;
  /** Set by `shutdown`: the pair is stopping, nothing starts again. */
  shuttingDown: boolean;
  commandSeq: number;
  /** The token of the live timer of each name; a timer event with another token is stale. */
  timers: Partial<Record<TimerName, number>>;
  timerSeq: number;
}

export interface LadderConfig {
  softVerifyMs: number;
  mediumVerifyMs: number;
  startupGraceMs: number;
  /** Healthy this long: the next failure restarts at once again. */
  stableAfterMs: number;
  probeMs: number;
  /** Consecutive rising samples after a rung's result that escalate at once. */
  risingSamples: number;
  backoff: { initialMs: number; maxMs: number; jitter: number };
  intensity: { maxRestarts: number; withinMs: number };
  operator: { maxRestarts: number; withinMs: number };
  /** The stop policy: grace for an agent that answers, for one that does not. */
  stopTimeoutMs: number;
  unresponsiveStopTimeoutMs: number;
}

export function initialLadderState(): LadderState {
  return {
    phase: 'stopped',
    incident: null,
    active: {},
    pending: null,
    rising: 0,
    failed: false,
    paused: null,
    afterStop: 'restart',
    nextRetryAt: null,
    restarts: emptyRestartWindow(),
    operatorRestarts: [],
    restartCount: 0,
    shuttingDown: false,
    commandSeq: 0,
    timers: {},
    timerSeq: 0,
  };
}

/** The rung in progress, for status: none, soft, medium, or hard (stopping, backing off, restarting). */
export function currentRung(state: LadderState): Rung | 'none' {
  if (state.phase === 'soft' || state.phase === 'medium') return state.phase;
  if (state.incident && ['stopping', 'backoff', 'starting', 'failed'].includes(state.phase)) return 'hard';
  return 'none';
}

/**
 * The shape every fault shares: starting one says what it did, may leave something running
 * that `clear` (or its `seconds`) ends, and may act only once its result has left the process
 * (a hang or a crash must not swallow the answer to the command that caused it).
 */
import type { FaultSpec, Logger } from '@vigil/shared';

/** What faults may do to the heartbeats. */
export interface HeartbeatControl {
  pause(): void;
  resume(): void;
  stretch(intervalMs: number): void;
  unstretch(): void;
}

/** What faults may do to the self-reported health. */
export interface HealthOverride {
  forceFailing(summary: string): void;
  unforce(): void;
}

export interface FaultContext {
  heartbeats: HeartbeatControl;
  health: HealthOverride;
  logger: Logger;
}

export interface RunningFault {
  /** Ends the fault; returns one line saying what ending it undid. */
  end(): string;
  /** A soft recovery ends it too (an injected cache is exactly what soft drops). */
  softClears?: boolean;
}

export interface FaultStart {
  did: string[];
  running?: RunningFault;
  /** Runs after the result of the command has been written. */
  afterReply?: () => void;
}

export type StartFault = (spec: FaultSpec, context: FaultContext) => FaultStart;

export function forHowLong(spec: FaultSpec): string {
  return spec.seconds === undefined ? 'until cleared' : `for ${spec.seconds} s`;
}

/**
 * What goes into the ladder and what comes out. Everything that happens — the launcher's starts
 * and exits, the agent's hello and results, detector signals, timers, operator requests, pause,
 * resume, shutdown — is an event; everything the ladder wants done is an effect, as data, for
 * the supervisor's loop to carry out.
 */
import type { IncidentEvent, Rung, SignalKind } from '@vigil/shared';
import type { TimerName } from './ladder-state.js';

export type LadderEvent =
  /** Begin supervising: start the agent (or wait for an adopted one to say hello). */
  | { type: 'begin'; adopted: boolean }
  | { type: 'started'; pid: number }
  | { type: 'start-failed'; detail: string }
  | { type: 'hello'; pid: number }
  | { type: 'exit'; detail: string }
  /** Someone else restarted the agent (an operator's `systemctl restart`); `pid` is the new one. */
  | { type: 'replaced'; pid: number; detail: string }
  | { type: 'signal'; kind: SignalKind; detail: string }
  | { type: 'cleared'; kind: SignalKind }
  | { type: 'trend'; kind: SignalKind; rising: boolean }
  | { type: 'result'; id: string; ok: boolean; did: string[]; durationMs: number; error?: string | undefined }
  /** A `send` effect could not be carried out: no session to send it on. */
  | { type: 'send-failed'; id: string }
  | { type: 'stopped'; how: string; detail?: string | undefined }
  | { type: 'timer'; name: TimerName; token: number }
  /** Operator requests: each is answered by one `reply` effect. */
  | { type: 'operator'; level: Rung }
  | { type: 'pause'; forMs?: number | undefined }
  | { type: 'resume' }
  | { type: 'shutdown' };

export type LadderEventType = LadderEvent['type'];

export interface StopRequest {
  /** The signal that led here. */
  kind: SignalKind;
  /** False when the agent's event loop is not answering. */
  responsive: boolean;
  incidentId: string | null;
  /** SIGTERM to SIGKILL; 0 kills at once (a stopped agent, the memory ceiling). */
  graceMs: number;
  /** Take the stack first (a running agent that stopped answering). */
  evidence: boolean;
}

export interface LadderAlert {
  kind: 'rung' | 'failed' | 'recovered';
  incidentId: string;
  signal: SignalKind;
  rung?: Rung | undefined;
  detail: string;
}

export interface OperatorOutcome {
  accepted: boolean;
  /** True when the request joined a recovery already in progress instead of starting one. */
  joined?: boolean | undefined;
  detail: string;
  incidentId?: string | null | undefined;
}

export type LadderEffect =
  | { type: 'start' }
  | { type: 'stop'; request: StopRequest }
  | { type: 'send'; level: 'soft' | 'medium'; id: string; reason: string }
  | { type: 'record'; event: IncidentEvent }
  | { type: 'alert'; alert: LadderAlert }
  | { type: 'arm'; name: TimerName; ms: number; token: number }
  | { type: 'disarm'; name: TimerName }
  | { type: 'reply'; outcome: OperatorOutcome };

/** What the ladder reads of the world at the moment of an event; all of it comes in, none is fetched. */
export interface LadderEnv {
  /** Monotonic ms. */
  now: number;
  /** Wall-clock epoch ms, for records only. */
  wall: number;
  /** Whether the agent can run a recovery handler now (session up, heartbeats flowing, not stopped). */
  responsive: boolean;
  newIncidentId(): string;
  /** In [0, 1): the backoff's jitter. */
  random(): number;
}

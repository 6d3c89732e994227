/**
 * What createAgent returns: the whole of the SDK as a service sees it.
 */
import type { EventEmitter } from 'node:events';
import type { AgentLifecycle, ConfigReport, FaultSpec, RecoverLevel } from '@vigil/shared';
import type { CheckReportSource, CheckRevision } from './check-reports.js';
import type { HeartbeatClientEvents } from './heartbeat-client.js';
import type { LifecycleState } from './lifecycle.js';
import type { MaintenanceHandler, RecoverHandler, RestoreHandler } from './recovery-handlers.js';
import type { HealthSource } from './self-report.js';

export type AgentEvents = HeartbeatClientEvents & {
  /** The lifecycle moved (the table in lifecycle.ts is its one writer). */
  state: [to: LifecycleState, from: LifecycleState];
};

export interface Agent extends EventEmitter<AgentEvents> {
  /** Begins connecting in the background; never throws when the watchdog is absent. */
  start(): void;
  /** Stops heartbeats, closes the socket, stops the sentinel and every fault. */
  stop(): Promise<void>;
  /** Several handlers per level run in registration order. */
  onRecover(level: RecoverLevel, handler: RecoverHandler): void;
  onRestore(handler: RestoreHandler): void;
  onMaintenance(handler: MaintenanceHandler): void;
  /** A value, or a function asked at every heartbeat; default `{ status: 'ok' }`. */
  setHealth(health: HealthSource): void;
  setState(state: AgentLifecycle): void;
  /** For a service with a config of its own: what it runs and its last refused change (shown in `vigil status`). */
  reportConfig(report: ConfigReport): void;
  /**
   * A problem an operator must see in `vigil status` (not a check): set under a key of the
   * service's choosing, cleared with null. A few short lines at most; longer ones are cut.
   */
  reportWarning(key: string, text: string | null): void;
  /**
   * Each check by name, sent when it changed (shown by `vigil status`). Asked at every heartbeat,
   * unless `revision` is given: a stamp that changes whenever the reports may have, and while it
   * stays the same the beats neither ask nor compare.
   */
  reportChecks(source: CheckReportSource, revision?: CheckRevision): void;
  /** Counts finished work, so the watchdog can tell "busy but moving" from "stuck". */
  tick(n?: number): void;
  /** The same path as a `fault` command; throws VIGIL_FAULTS_DISABLED unless enabled. */
  injectFault(spec: FaultSpec): Promise<string[]>;
  readonly connected: boolean;
  /** What the heartbeats report. */
  readonly state: AgentLifecycle;
  /** The lifecycle itself, `stopped` included. */
  readonly lifecycle: LifecycleState;
  /** Where the stall sentinel writes, while it runs. */
  readonly stallFile: string | undefined;
}

/**
 * @vigil/agent-sdk: what a Node service imports to be supervised by the vigil watchdog. This
 * file is the package's only public surface.
 */

export type { Agent, AgentEvents } from './agent.js';
export type { CreateAgentOptions } from './agent-options.js';
export { createAgent } from './create-agent.js';
export { collectGarbage } from './default-handlers.js';
export { type SdkErrorCode, sdkErrors } from './errors.js';
// One event-loop monitor per process: the agent's metrics read the same one the heartbeat does.
export { EventLoopLag, LAG_RESOLUTION_MS, lagMonitorsRunning } from './event-loop-lag.js';
export { Lifecycle, type LifecycleEvent, type LifecycleState } from './lifecycle.js';
// The one timer the heartbeat, the lag windows and the stall sentinel share; periodic work of a
// service can ride it too instead of waking the process on a timer of its own.
export { type Ride, ride } from './pulse.js';
export type {
  MaintenanceHandler,
  RecoverContext,
  RecoverHandler,
  RestoreHandler,
} from './recovery-handlers.js';
export type { HandlerOutput } from './run-handlers.js';
export type { HealthSource } from './self-report.js';
export {
  type StallReport,
  type StallSentinel,
  type StallSentinelOptions,
  stallFilePath,
  startStallSentinel,
} from './stall-sentinel.js';
export { SDK_VERSION } from './version.js';

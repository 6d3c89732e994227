/**
 * @vigil/agent: the SDK a Node service uses to be supervised by the vigil watchdog. This file
 * is the package's only public surface.
 */
export { type AgentErrorCode, agentErrors } from './errors.js';
export type { Agent, AgentEvents } from './sdk/agent.js';
export type { CreateAgentOptions } from './sdk/agent-options.js';
export { createAgent } from './sdk/create-agent.js';
export type {
  MaintenanceHandler,
  RecoverContext,
  RecoverHandler,
  RestoreHandler,
} from './sdk/recovery-handlers.js';
export type { HandlerOutput } from './sdk/run-handlers.js';
export type { HealthSource } from './sdk/self-report.js';
export {
  type StallReport,
  type StallSentinel,
  type StallSentinelOptions,
  stallFilePath,
  startStallSentinel,
} from './sdk/stall-sentinel.js';
export { AGENT_VERSION } from './version.js';

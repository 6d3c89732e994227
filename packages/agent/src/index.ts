/**
 * @vigil/agent: the vigil-agent program (host checks, alerting, remediation, metrics, a live
 * config) on the agent SDK. This file is the package's only public surface.
 */

export type { CheckChange } from './actions/action-types.js';
export {
  AlertDispatcher,
  type AlertDispatcherOptions,
  type AlertsConfig,
} from './actions/alert-dispatcher.js';
export type {
  Alert,
  AlertMetrics,
  AlertNotice,
  AlertSeverity,
  AlertSink,
  AlertStatus,
  SuppressReason,
} from './actions/alert-types.js';
export { type BreakerLimits, type BreakerState, CircuitBreaker } from './actions/circuit-breaker.js';
export {
  type RemediationMetrics,
  type RemediationOutcome,
  Remediator,
  type RemediatorOptions,
  type SkipReason,
} from './actions/remediator.js';
export type { ApplyDiff, CheckFactory } from './checks/apply-checks.js';
export {
  CheckRegistry,
  type CheckRegistryEvents,
  type CheckRegistryOptions,
  type CheckState,
  type CheckTransition,
} from './checks/check-registry.js';
export type { Check, CheckContext, CheckOutcome, CheckResult, CheckStatus } from './checks/check-result.js';
export { createCheck } from './checks/create-check.js';
export { baselinePath } from './checks/file-integrity.js';
export { type RollupInput, rollUpHealth } from './checks/health-rollup.js';
export { HttpPool } from './checks/http-pool.js';
export { type AgentErrorCode, agentErrors } from './errors.js';
export { AgentMetrics } from './metrics/agent-metrics.js';
export { MetricsServer } from './metrics/metrics-server.js';
export { AgentRuntime, type AgentRuntimeOptions } from './runtime/agent-runtime.js';
export { AGENT_VERSION } from './version.js';

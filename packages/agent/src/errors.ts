/**
 * The codes raised by @vigil/agent. Each has a hint that says what to do next; docs/errors.md
 * documents every one of them.
 */
import { defineErrors, isVigilError } from '@vigil/shared';

export const agentErrors = defineErrors({
  VIGIL_FAULTS_DISABLED: {
    hint: 'Fault injection is off by default; set `agent.faults.enabled: true` in the config (VIGIL_FAULTS=1 for the agent) to allow it.',
  },
  VIGIL_HANDLER_TIMEOUT: {
    hint: 'A recovery, restore or maintenance handler did not finish in time; make it honour its AbortSignal or do less work.',
  },
  VIGIL_HANDLER_FAILED: {
    hint: 'A recovery, restore or maintenance handler threw; the message names it and the other handlers still ran.',
  },
  VIGIL_SDK_OPTION_INVALID: {
    hint: 'Fix the option named in the message (or the environment variable it came from).',
  },
  VIGIL_WELCOME_REFUSED: {
    hint: 'The watchdog refused this agent (the reason says why); the agent retries every 2 s. Check that the versions match and that only one agent runs.',
  },
  VIGIL_STALL_SENTINEL_FAILED: {
    hint: 'The stall sentinel could not start or stopped; the agent keeps running without blocked-loop evidence. Check that VIGIL_REPORT_DIR is writable.',
  },
  VIGIL_AGENT_USAGE: {
    hint: 'Run `vigil-agent --help` for the arguments and environment variables it understands.',
  },
  VIGIL_CHECK_CONFIG_INVALID: {
    hint: 'A health check config cannot be used (duplicate name, bad regular expression, unknown type); fix the check the message names. `vigil config validate FILE` catches most of these.',
  },
  VIGIL_CHECK_TIMEOUT: {
    hint: 'The check did not finish within its timeoutMs and was abandoned; raise timeoutMs or find out why the target is slow.',
  },
  VIGIL_CHECK_UNKNOWN: {
    hint: 'No check by that name is configured; the names are those under `agent.checks` in the config.',
  },
  VIGIL_ALERT_DELIVERY_FAILED: {
    hint: 'The alert was logged but not delivered; check that the webhook or Alertmanager URL in `agent.alerts` is reachable from this host and accepts the request.',
  },
  VIGIL_REMEDIATION_FAILED: {
    hint: "The check's `remediate.command` failed on every attempt; run it by hand as the agent's user to see why. Repeated failures open its circuit breaker.",
  },
});

export type AgentErrorCode = keyof typeof agentErrors.codes;

/** "CODE: message" for vigil's own errors, so the code reaches the operator through a result line. */
export function describeError(error: unknown): string {
  if (isVigilError(error)) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

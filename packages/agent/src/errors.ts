/**
 * The codes raised by @vigil/agent (the vigil-agent program). Each has a hint that says what to
 * do next; docs/errors.md documents every one of them.
 */
import { defineErrors } from '@vigil/shared';

export const agentErrors = defineErrors({
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

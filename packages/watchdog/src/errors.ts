/** The codes the watchdog raises (see docs/errors.md). */
import { defineErrors } from '@vigil/shared';

export const watchdogErrors = defineErrors({
  VIGIL_WATCHDOG_RUNNING: {
    hint: 'Use `vigil status` to talk to the running watchdog, or stop it first; point VIGIL_HOME elsewhere to run a second pair.',
  },
  VIGIL_AGENT_NOT_CONNECTED: {
    hint: 'The agent is not connected right now (starting, hung or restarting); check `vigil status` and retry.',
  },
  VIGIL_AGENT_START_FAILED: {
    hint: 'Check agent.command in the config and the agent log (`vigil logs --unit agent`).',
  },
  VIGIL_COMMAND_TIMEOUT: {
    hint: 'The agent did not answer the command in time; it may be overloaded or hung. `vigil status` shows its state.',
  },
  VIGIL_CONTROL_BUSY: {
    hint: 'Too many connections are open on the socket; retry in a moment, one connection per request.',
  },
  VIGIL_OPERATOR_REFUSED: {
    hint: 'The watchdog cannot do that in its current state; `vigil status` shows why.',
  },
});

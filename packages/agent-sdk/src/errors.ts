/**
 * The codes raised by @vigil/agent-sdk, in any service that uses it. Each has a hint that says
 * what to do next; docs/errors.md documents every one of them.
 */
import { defineErrors } from '@vigil/shared';

export const sdkErrors = defineErrors({
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
});

export type SdkErrorCode = keyof typeof sdkErrors.codes;

/**
 * fail-health: the agent says it is failing while everything else about it looks fine: the
 * self-report path of detection.
 */
import { forHowLong, type StartFault } from './fault-types.js';

export const FAIL_HEALTH_SUMMARY = 'fault injection: fail-health';

export const startFailHealth: StartFault = (spec, { health }) => {
  health.forceFailing(FAIL_HEALTH_SUMMARY);
  return {
    did: [`fail-health: reporting failing ${forHowLong(spec)}`],
    running: {
      end() {
        health.unforce();
        return 'fail-health: real health reported again';
      },
    },
  };
};

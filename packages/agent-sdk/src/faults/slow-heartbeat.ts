/**
 * slow-heartbeat: heartbeats keep coming, but late, as from an agent starved of CPU; the
 * watchdog should stretch, not kill, until they are later than its timeout.
 */
import { forHowLong, type StartFault } from './fault-types.js';

const DEFAULT_INTERVAL_MS = 4000;

export const startSlowHeartbeat: StartFault = (spec, { heartbeats }) => {
  const intervalMs = spec.intervalMs ?? DEFAULT_INTERVAL_MS;
  heartbeats.stretch(intervalMs);
  return {
    did: [`slow-heartbeat: one heartbeat every ${intervalMs} ms ${forHowLong(spec)}`],
    running: {
      end() {
        heartbeats.unstretch();
        return 'slow-heartbeat: normal interval restored';
      },
    },
  };
};

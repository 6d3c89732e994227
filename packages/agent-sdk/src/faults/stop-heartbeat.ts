/**
 * stop-heartbeat: the process stays alive and keeps answering commands, but sends no
 * heartbeats: what a deadlocked sender thread or a wedged timer looks like from outside.
 */
import { forHowLong, type StartFault } from './fault-types.js';

export const startStopHeartbeat: StartFault = (spec, { heartbeats }) => {
  heartbeats.pause();
  return {
    did: [`stop-heartbeat: heartbeats stopped ${forHowLong(spec)}`],
    running: {
      end() {
        heartbeats.resume();
        return 'stop-heartbeat: heartbeats resumed';
      },
    },
  };
};

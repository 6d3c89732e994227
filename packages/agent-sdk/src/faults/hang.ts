/**
 * hang: blocks the event loop synchronously, as a runaway loop in a service would. Heartbeats,
 * timers and commands all stop; only the watchdog (and the stall sentinel's worker) see it.
 */
import type { StartFault } from './fault-types.js';

/** Named so the stall sentinel's evidence points straight at it. */
export function blockEventLoop(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // Busy on purpose: this loop is the fault.
  }
}

export const startHang: StartFault = (spec) => {
  const ms = spec.seconds === undefined ? Number.POSITIVE_INFINITY : spec.seconds * 1000;
  return {
    did: [
      spec.seconds === undefined
        ? 'hang: blocking the event loop forever'
        : `hang: blocking the event loop for ${spec.seconds} s`,
    ],
    afterReply: () => blockEventLoop(ms),
  };
};

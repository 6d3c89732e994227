/**
 * What (b) a blocked event loop and (c) SIGSTOP share: the process is alive but does nothing.
 * Timed from the moment it went unresponsive to the new instance's `started` line; a peer that
 * has not restarted it by the cap is `never`.
 */
import { peerTrials } from './peer-trials.mjs';
import { timeline, waitReady, withPeer } from './trial.mjs';
import { pollUntil } from './wait-for.mjs';

/** @param makeUnresponsive (pid, files, events) → Promise<epoch ms it became unresponsive> */
export function unresponsiveScenario(id, title, makeUnresponsive) {
  return {
    id,
    title,
    // monit's heartbeat-file rule is opt-in: only these scenarios' config has it.
    options: () => ({ hangRule: true }),

    run(ctx) {
      return peerTrials(ctx, this, (peer) =>
        withPeer(ctx, peer, this.options(peer), async ({ session, events, files }) => {
          const first = await waitReady(session, events);
          const t0 = await makeUnresponsive(first.pid, files, events);
          const capMs = ctx.flags.capSeconds * 1000;
          const next = await pollUntil(() => events.nextStart(first.pid, t0), { deadline: t0 + capMs });
          return next
            ? { ms: next.at - t0, ...timeline(session, t0, next) }
            : { never: true, waitedMs: capMs };
        }),
      );
    },
  };
}

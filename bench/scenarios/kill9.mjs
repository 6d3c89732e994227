/**
 * (a) `kill -9` of the app → the new instance's own `started` line. The bare floor is sampled
 * between the rounds of this scenario (`ctx.sampleFloor`), so the ratio compares times taken
 * under the same load.
 */
import { peerTrials } from '../lib/peer-trials.mjs';
import { timeline, waitReady, withPeer } from '../lib/trial.mjs';
import { pollUntil } from '../lib/wait-for.mjs';

export const kill9 = {
  id: 'kill9',
  title: '(a) kill -9 → started',

  run(ctx) {
    const floorPerRound = Math.ceil(ctx.flags.floorTrials / ctx.flags.trials);
    const trial = (peer) =>
      withPeer(ctx, peer, {}, async ({ session, events }) => {
        const first = await waitReady(session, events);
        const t0 = Date.now();
        process.kill(first.pid, 'SIGKILL');
        const capMs = ctx.flags.capSeconds * 1000;
        const next = await pollUntil(() => events.nextStart(first.pid, t0), { deadline: t0 + capMs });
        return next ? { ms: next.at - t0, ...timeline(session, t0, next) } : { never: true, waitedMs: capMs };
      });
    return peerTrials(ctx, this, trial, { beforeRound: () => ctx.sampleFloor(floorPerRound) });
  },
};

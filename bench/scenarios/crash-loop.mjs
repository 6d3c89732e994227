/**
 * (f) crash loop: the app exits 1 at once on every start. Counts its `started` lines in the
 * first 10 s and in the whole window (--crash-seconds, default 60) from the first one, then
 * asks the supervisor what state it is in.
 */
import { peerTrials } from '../lib/peer-trials.mjs';
import { withPeer } from '../lib/trial.mjs';
import { pollUntil } from '../lib/wait-for.mjs';

export const crashLoop = {
  id: 'crashLoop',
  title: '(f) crash loop',
  options: () => ({ mode: 'crash' }),

  run(ctx) {
    const windowMs = ctx.flags.crashSeconds * 1000;
    return peerTrials(ctx, this, (peer) =>
      withPeer(ctx, peer, this.options(peer), async ({ session, events }) => {
        const first = await events.waitFor((e) => e.event === 'started', 30_000, 'the first start');
        // A measurement window, not a wait for an event: poll until it is over.
        await pollUntil(() => false, { deadline: first.at + windowMs, intervalMs: 200 });
        const starts = events.starts();
        const within = (ms) => starts.filter((s) => s.at < first.at + ms).length;
        return {
          startsIn10s: within(Math.min(10_000, windowMs)),
          startsInWindow: within(windowMs),
          windowSeconds: windowMs / 1000,
          state: await session.state(),
        };
      }),
    );
  },
};

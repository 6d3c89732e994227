/**
 * (d) RSS leak at ~20 MiB/s past a 150 MiB limit → restarted. The harness samples the leaking
 * process's VmRSS every 20 ms until a new instance starts; the figure is the peak it reached,
 * its overshoot over 150 MiB, and the time from crossing 150 MiB to the new `started` line.
 * A peer without a memory limit (supervisord) is reported as never, without a trial.
 */
import { command, LIMIT_BYTES } from '../lib/app-spec.mjs';
import { peerTrials } from '../lib/peer-trials.mjs';
import { readRssBytes } from '../lib/proc.mjs';
import { timeline, waitReady, withPeer } from '../lib/trial.mjs';
import { pollUntil } from '../lib/wait-for.mjs';

export const leak = {
  id: 'leak',
  title: '(d) leak 20 MiB/s past 150 MiB → restarted',
  options: () => ({ memoryLimit: true }),
  unsupported: (peer) => (peer.features.memoryCheckMs ? null : 'no memory limit feature'),

  run(ctx) {
    return peerTrials(ctx, this, (peer) =>
      withPeer(ctx, peer, this.options(peer), async ({ session, events, files }) => {
        const first = await waitReady(session, events);
        // The leak starts at a random phase of the peer's memory check (PM2's is every 30 s from
        // its daemon's start), so the figure samples that period instead of one fixed point of it.
        const phaseDelayMs = Math.round(Math.random() * peer.features.memoryCheckMs);
        await pollUntil(() => false, { deadline: Date.now() + phaseDelayMs, intervalMs: 50 });
        command(files, first.pid, 'leak');
        const ack = await events.waitFor(
          (e) => e.event === 'leak' && e.pid === first.pid,
          5000,
          'the leak to begin',
        );
        let peak = 0;
        let crossedAt = null;
        const capMs = ctx.flags.leakCapSeconds * 1000;
        const next = await pollUntil(
          () => {
            const rss = readRssBytes(first.pid);
            if (rss !== null) {
              peak = Math.max(peak, rss);
              if (crossedAt === null && rss > LIMIT_BYTES) crossedAt = Date.now();
            }
            return events.nextStart(first.pid, ack.at);
          },
          { deadline: ack.at + capMs, intervalMs: 20 },
        );
        const over = { peakMiB: peak / 2 ** 20, overshootPct: ((peak - LIMIT_BYTES) / LIMIT_BYTES) * 100 };
        if (!next) return { never: true, waitedMs: capMs, ...over };
        if (crossedAt === null)
          throw new Error(`restarted before reaching the limit (peak ${over.peakMiB.toFixed(1)} MiB)`);
        return {
          ...over,
          crossToStartedMs: next.at - crossedAt,
          leakToStartedMs: next.at - ack.at,
          phaseDelayMs,
          ...timeline(session, crossedAt, next),
        };
      }),
    );
  },
};

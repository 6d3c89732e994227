/**
 * (g) idle cost from the scheduler's accounting (schedstat ns, context switches as wakeups/s,
 * VmRSS/RssAnon; see lib/sched.mjs), every peer side by side in the same window.
 *
 * schedIdle: vigil runs its own pair (`vigil run` with the bundled vigil-agent, vigil's default
 * limits off), measured as the watchdog, the agent and the pair total; the others supervise the
 * idle app, measured as the supervisor process.
 * schedLimits: the cost with limits on, reaped children included: vigil with memory and CPU
 * limits on the app, PM2 with --max-memory-restart, monit with `totalmem`; supervisord has none.
 */
import { barrier } from '../lib/barrier.mjs';
import { settleAndMeasure } from '../lib/sched.mjs';
import { guarded, waitReady, withPeer } from '../lib/trial.mjs';
import { waitFor } from '../lib/wait-for.mjs';

async function ready(session, events, bundled) {
  if (!bundled) return waitReady(session, events);
  return waitFor(() => session.isReady(), { timeoutMs: 30_000, what: 'vigil-agent healthy' });
}

function groupsOf(peer, session) {
  if (peer.name !== 'vigil') return { supervisor: session.supervisorPids() };
  const parts = session.parts();
  if (parts.agent.length === 0) throw new Error('no agent pid in status.json');
  return { ...parts, pair: [...parts.watchdog, ...parts.agent] };
}

function logLine(name, o) {
  if (o.failed) return `${name}: FAILED ${o.failed}`;
  return Object.entries(o)
    .filter(([, g]) => typeof g === 'object')
    .map(
      ([part, g]) =>
        `${name} ${part}: CPU ${g.totalCpuPct.toFixed(3)} % (children ${g.childrenCpuPct.toFixed(3)}), ${g.wakeupsPerSec.toFixed(1)} wakeups/s, RSS ${g.rssMB.toFixed(1)} MB (anon ${g.rssAnonMB.toFixed(1)})`,
    )
    .join('; ');
}

function scenario({ id, title, options }) {
  return {
    id,
    title,
    async run(ctx) {
      const results = {};
      const peers = ctx.peers.filter((peer) => {
        const opts = options(peer);
        results[peer.name] = opts
          ? { config: peer.describeConfig(opts), trials: [] }
          : { unsupported: 'no memory limit', trials: [] };
        return opts !== null;
      });
      for (let i = 0; i < ctx.flags.trials; i++) {
        const gate = barrier(peers.length);
        const outcomes = await Promise.all(
          peers.map((peer) =>
            guarded(() =>
              withPeer(ctx, peer, options(peer), async ({ session, events }) => {
                try {
                  await ready(session, events, options(peer).bundled);
                } finally {
                  await gate.arrive(peer.name);
                }
                return settleAndMeasure(ctx.flags, () => groupsOf(peer, session));
              }),
            ).finally(() => gate.arrive(peer.name)),
          ),
        );
        peers.forEach((peer, n) => {
          results[peer.name].trials.push(outcomes[n]);
          ctx.log(`${id} ${i + 1}/${ctx.flags.trials} ${logLine(peer.name, outcomes[n])}`);
        });
      }
      return results;
    },
  };
}

export const schedIdle = scenario({
  id: 'schedIdle',
  title: '(g) idle cost, schedstat: vigil pair (bundled agent) vs each supervisor',
  options: (peer) => (peer.name === 'vigil' ? { bundled: true } : {}),
});

export const schedLimits = scenario({
  id: 'schedLimits',
  title: '(h) idle cost with limits on, reaped children included',
  options: (peer) => {
    if (peer.name === 'vigil') return { memoryLimit: true, cpuLimit: true };
    if (peer.name === 'supervisord') return null;
    return { memoryLimit: true };
  },
});

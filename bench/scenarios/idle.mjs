/**
 * (e) idle cost of the supervisor process(es): all peers run side by side (same window, same
 * background load), each supervising an idle app; after --idle-settle-seconds, VmRSS (and its
 * private part, RssAnon) is sampled every second and averaged, and CPU is the utime+stime delta
 * of /proc/<pid>/stat over --idle-seconds, as a percentage of one core. Children's CPU (cutime+cstime: helpers it forked and reaped) is kept
 * apart. Measured: vigil's watchdog (not the app, which is the agent), PM2's daemon, supervisord,
 * monit.
 */
import { CLK_TCK, readMemory, readStat } from '../lib/proc.mjs';
import { guarded, waitReady, withPeer } from '../lib/trial.mjs';
import { pollUntil } from '../lib/wait-for.mjs';

function ticks(pids) {
  let self = 0;
  let children = 0;
  for (const pid of pids) {
    const s = readStat(pid);
    if (!s) throw new Error(`supervisor process ${pid} went away during the idle window`);
    self += s.utime + s.stime;
    children += s.cutime + s.cstime;
  }
  return { self, children };
}

/** Opens once every party has arrived (ready, or failed): the window starts for all at once. */
function barrier(count) {
  const arrived = new Set();
  let open;
  const opened = new Promise((resolve) => {
    open = resolve;
  });
  return {
    arrive(party) {
      arrived.add(party);
      if (arrived.size >= count) open();
      return opened;
    },
  };
}

async function measure(ctx, session) {
  const pids = session.supervisorPids();
  if (pids.length === 0) throw new Error('no supervisor pid to measure');
  const t0 = performance.now();
  const before = ticks(pids);
  const samples = [];
  const end = Date.now() + ctx.flags.idleSeconds * 1000;
  await pollUntil(
    () => {
      const sum = { rss: 0, anon: 0 };
      for (const pid of pids) {
        const m = readMemory(pid);
        sum.rss += m?.rss ?? 0;
        sum.anon += m?.anon ?? 0;
      }
      samples.push(sum);
      return false;
    },
    { deadline: end, intervalMs: 1000 },
  );
  const after = ticks(pids);
  const seconds = (performance.now() - t0) / 1000;
  const pct = (delta) => (delta / CLK_TCK / seconds) * 100;
  const mean = (key) => samples.reduce((sum, s) => sum + s[key], 0) / samples.length / 1e6;
  return {
    rssMB: mean('rss'),
    rssMaxMB: Math.max(...samples.map((s) => s.rss)) / 1e6,
    rssAnonMB: mean('anon'),
    cpuPct: pct(after.self - before.self),
    childrenCpuPct: pct(after.children - before.children),
    seconds,
    pids: pids.join(','),
  };
}

export const idle = {
  id: 'idle',
  title: '(e) idle cost of the supervisor',

  async run(ctx) {
    const results = {};
    for (const peer of ctx.peers) results[peer.name] = { config: peer.describeConfig({}), trials: [] };
    for (let i = 0; i < ctx.flags.trials; i++) {
      const gate = barrier(ctx.peers.length);
      const outcomes = await Promise.all(
        ctx.peers.map((peer) =>
          guarded(() =>
            withPeer(ctx, peer, {}, async ({ session, events }) => {
              try {
                await waitReady(session, events);
              } finally {
                await gate.arrive(peer.name);
              }
              const settled = Date.now() + ctx.flags.idleSettleSeconds * 1000;
              await pollUntil(() => false, { deadline: settled, intervalMs: 250 });
              return measure(ctx, session);
            }),
          ).finally(() => gate.arrive(peer.name)),
        ),
      );
      ctx.peers.forEach((peer, n) => {
        results[peer.name].trials.push(outcomes[n]);
        const o = outcomes[n];
        ctx.log(
          `idle ${peer.name} ${i + 1}/${ctx.flags.trials}: ${o.failed ? `FAILED ${o.failed}` : `RSS ${o.rssMB.toFixed(1)} MB (private ${o.rssAnonMB.toFixed(1)}), CPU ${o.cpuPct.toFixed(3)} % (+children ${o.childrenCpuPct.toFixed(3)} %)`}`,
        );
      });
    }
    return results;
  },
};

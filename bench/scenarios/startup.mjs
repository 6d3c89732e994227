/**
 * (i) startup to healthy: from the start command to the app up under its supervisor. vigil:
 * `vigil run` → status.json says the agent is healthy (its first heartbeat accepted), with the
 * bench app as agent.command and with the bundled vigil-agent; the others: their start command →
 * the app's `started` line (its own clock). Peers run one after another, never side by side.
 */
import { guarded, withPeer } from '../lib/trial.mjs';
import { waitFor } from '../lib/wait-for.mjs';

async function timeToReady(ctx, peer, options) {
  const t0 = Date.now();
  return withPeer(ctx, peer, options, async ({ session, events }) => {
    const started = await events.waitFor((e) => e.event === 'started', 30_000, 'the app to start');
    const out = { startedMs: started?.at - t0 };
    if (peer.name === 'vigil') {
      await waitFor(() => session.isReady(), { timeoutMs: 30_000, what: 'agent healthy', intervalMs: 5 });
      out.healthyMs = Date.now() - t0;
    }
    return out;
  });
}

async function bundledToHealthy(ctx, peer) {
  const t0 = Date.now();
  return withPeer(ctx, peer, { bundled: true }, async ({ session }) => {
    await waitFor(() => session.isReady(), { timeoutMs: 30_000, what: 'vigil-agent healthy', intervalMs: 5 });
    return { bundledHealthyMs: Date.now() - t0 };
  });
}

export const startup = {
  id: 'startup',
  title: '(i) start → app up (vigil: agent healthy)',

  async run(ctx) {
    const results = {};
    for (const peer of ctx.peers) results[peer.name] = { config: peer.describeConfig({}), trials: [] };
    for (let i = 0; i < ctx.flags.trials; i++) {
      for (const peer of ctx.peers) {
        const o = await guarded(() => timeToReady(ctx, peer, {}));
        if (peer.name === 'vigil' && !o.failed) {
          const b = await guarded(() => bundledToHealthy(ctx, peer));
          if (b.failed) o.bundledFailed = b.failed;
          else Object.assign(o, b);
        }
        results[peer.name].trials.push(o);
        ctx.log(
          `startup ${peer.name} ${i + 1}/${ctx.flags.trials}: ${o.failed ? `FAILED ${o.failed}` : JSON.stringify(o)}`,
        );
      }
    }
    return results;
  },
};

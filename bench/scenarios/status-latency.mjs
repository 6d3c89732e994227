/**
 * (j) how long the status command takes, spawn to exit, with the app up: `vigil status --json`,
 * `pm2 jlist`, `supervisorctl status`, `monit status`; vigil's human view (`vigil status`, which
 * also reads agent.log's tail) beside it; `node -e 0` and `vigil --version` as the floors (a bare
 * node start, and vigil's CLI doing nothing), timed in the same rounds as vigil's calls. Median
 * and p95 over --status-calls calls per trial. Peers run one after another.
 */
import { guarded, waitReady, withPeer } from '../lib/trial.mjs';
import { VIGIL_BIN } from '../peers/vigil.mjs';

function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

async function timed(keeper, { command, args, env }) {
  const t0 = performance.now();
  const out = await keeper.run(command, args, { env, timeoutMs: 15_000 });
  const ms = performance.now() - t0;
  if (out.code !== 0)
    throw new Error(`${command} ${args.join(' ')} exited ${out.code}: ${out.stderr.trim()}`);
  return ms;
}

export const statusLatency = {
  id: 'statusLatency',
  title: '(j) status command, spawn → exit',

  async run(ctx) {
    const results = {};
    for (const peer of ctx.peers) results[peer.name] = { config: peer.describeConfig({}), trials: [] };
    const calls = ctx.flags.statusCalls;
    for (let i = 0; i < ctx.flags.trials; i++) {
      for (const peer of ctx.peers) {
        const o = await guarded(() =>
          withPeer(ctx, peer, {}, async ({ session, events }) => {
            await waitReady(session, events);
            const keeper = ctx.keeper.scoped(`status-${peer.name}`);
            const status = session.statusCommand();
            const floors = peer.name === 'vigil';
            const times = { status: [], human: [], node: [], version: [] };
            for (let n = 0; n < calls; n++) {
              times.status.push(await timed(keeper, status));
              if (!floors) continue;
              const human = status.args.filter((arg) => arg !== '--json');
              times.human.push(await timed(keeper, { ...status, args: human }));
              times.node.push(await timed(keeper, { ...status, args: ['-e', '0'] }));
              times.version.push(await timed(keeper, { ...status, args: [VIGIL_BIN, '--version'] }));
            }
            const out = {
              statusMedianMs: quantile(times.status, 0.5),
              statusP95Ms: quantile(times.status, 0.95),
            };
            if (floors) {
              out.humanMedianMs = quantile(times.human, 0.5);
              out.humanP95Ms = quantile(times.human, 0.95);
              out.nodeFloorMedianMs = quantile(times.node, 0.5);
              out.versionMedianMs = quantile(times.version, 0.5);
              out.versionP95Ms = quantile(times.version, 0.95);
            }
            return out;
          }),
        );
        results[peer.name].trials.push(o);
        ctx.log(
          `status ${peer.name} ${i + 1}/${ctx.flags.trials}: ${o.failed ? `FAILED ${o.failed}` : JSON.stringify(o, (_k, v) => (typeof v === 'number' ? Math.round(v * 10) / 10 : v))}`,
        );
      }
    }
    return results;
  },
};

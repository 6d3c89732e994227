/**
 * (k) the memory floors under vigil's idle figures, measured in the same run: node started with
 * each daemon's own flags (packages/watchdog/src/launcher/daemon-node-flags.ts), then with the
 * code it loads added one layer at a time — pino alone, all of @vigil/shared, the watchdog's
 * modules; for the agent, an idle Worker (its stall sentinel is one) and the agent's modules.
 * What each layer adds is what vigil's code costs above bare node; what bare node costs is out
 * of vigil's hands.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PROBE = fileURLToPath(new URL('../lib/mem-probe.mjs', import.meta.url));
const at = (path) => `${ROOT}${path}`;

async function flagSets() {
  const { DAEMON_NODE_FLAGS, BUNDLED_AGENT_NODE_FLAGS } = await import(
    at('packages/watchdog/dist/launcher/daemon-node-flags.js')
  );
  return { daemon: [...DAEMON_NODE_FLAGS, '--expose-gc'], agent: [...BUNDLED_AGENT_NODE_FLAGS] };
}

/** [field, flags, module, worker]: modules resolve from the package that depends on them. */
function layers(flags) {
  return [
    ['watchdogBare', flags.daemon, '-', ''],
    ['watchdogPino', flags.daemon, at('packages/shared/node_modules/pino/pino.js'), ''],
    ['watchdogShared', flags.daemon, at('packages/shared/dist/index.js'), ''],
    ['watchdogModules', flags.daemon, at('packages/watchdog/dist/index.js'), ''],
    ['agentBare', flags.agent, '-', ''],
    ['agentWorker', flags.agent, '-', 'worker'],
    ['agentModules', flags.agent, at('packages/agent/dist/index.js'), 'worker'],
  ];
}

function probe(flags, module, worker) {
  const run = spawnSync(process.execPath, [...flags, PROBE, module, worker], {
    encoding: 'utf8',
    timeout: 30_000,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
  });
  if (run.status !== 0) throw new Error(`mem-probe ${module} exited ${run.status}: ${run.stderr.trim()}`);
  const { rssKB, anonKB } = JSON.parse(run.stdout);
  return { rssMB: rssKB / 1000, anonMB: anonKB / 1000 };
}

export const memFloor = {
  id: 'memFloor',
  title: '(k) memory floors: node with vigil’s flags, then each layer of code',

  async run(ctx) {
    const flags = await flagSets();
    const entry = { config: `node ${flags.daemon.join(' ')} / node ${flags.agent.join(' ')}`, trials: [] };
    for (let i = 0; i < ctx.flags.trials; i++) {
      const trial = {};
      for (const [field, set, module, worker] of layers(flags)) {
        const m = probe(set, module, worker);
        trial[`${field}RssMB`] = m.rssMB;
        trial[`${field}AnonMB`] = m.anonMB;
      }
      entry.trials.push(trial);
      ctx.log(
        `memFloor ${i + 1}/${ctx.flags.trials}: ${Object.entries(trial)
          .filter(([k]) => k.endsWith('RssMB'))
          .map(([k, v]) => `${k.replace('RssMB', '')} ${v.toFixed(1)}`)
          .join(', ')} MB`,
      );
    }
    return { vigil: entry };
  },
};

export const MEM_FLOOR_FIELDS = [
  'watchdogBare',
  'watchdogPino',
  'watchdogShared',
  'watchdogModules',
  'agentBare',
  'agentWorker',
  'agentModules',
].flatMap((f) => [`${f}RssMB`, `${f}AnonMB`]);

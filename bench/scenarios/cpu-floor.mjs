/**
 * (l) the CPU floors under vigil's idle figures, measured in the same run and the same window:
 * node started with the daemon's or the agent's flags doing nothing but what each of vigil's
 * wakeups cannot do without, at vigil's rate (lib/cpu-probe.mjs says what each probe does).
 * On a VM a wakeup itself costs a good part of what vigil's wakeups cost: these rows say how
 * much of an idle figure is node waking at all, and so what vigil's own code adds.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { settleAndMeasure } from '../lib/sched.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PROBE = fileURLToPath(new URL('../lib/cpu-probe.mjs', import.meta.url));

/** [name, flags set, mode]: the watchdog's wakeups with the daemon's flags, the agent's with its own. */
const PROBES = [
  ['watchdogLook', 'daemon', 'look'],
  ['watchdogDrain', 'daemon', 'drain'],
  ['watchdogTick', 'daemon', 'tick'],
  ['watchdogSample', 'daemon', 'sample'],
  ['agentBeat', 'agent', 'beat'],
  ['agentSentinel', 'agent', 'sentinel'],
];

export const CPU_FLOOR_FIELDS = PROBES.flatMap(([name]) => [`${name}.cpuPct`, `${name}.wakeupsPerSec`]);

export const cpuFloor = {
  id: 'cpuFloor',
  title: '(l) CPU floors: node with vigil’s flags waking at vigil’s rates, schedstat',

  async run(ctx) {
    const { DAEMON_NODE_FLAGS, BUNDLED_AGENT_NODE_FLAGS } = await import(
      join(ROOT, 'packages/watchdog/dist/launcher/daemon-node-flags.js')
    );
    const flagSets = { daemon: DAEMON_NODE_FLAGS, agent: BUNDLED_AGENT_NODE_FLAGS };
    const entry = {
      config: `node ${DAEMON_NODE_FLAGS.join(' ')} / node ${BUNDLED_AGENT_NODE_FLAGS.join(' ')}: ${PROBES.map(([n, , m]) => `${n} = ${m}`).join(', ')}`,
      trials: [],
    };
    for (let i = 0; i < ctx.flags.trials; i++) {
      const keeper = ctx.keeper.scoped(`cpuFloor${i}`);
      const children = PROBES.map(([name, set, mode]) => {
        const child = keeper.spawn(process.execPath, [...flagSets[set], PROBE, mode], {
          env: keeper.env(),
          cwd: ctx.tmp,
          logFile: join(ctx.tmp, `cpu-floor-${name}.log`),
        });
        return [name, child];
      });
      try {
        // As the peers: settled first, then every probe measured over the same window.
        const trial = await settleAndMeasure(ctx.flags, () =>
          Object.fromEntries(children.map(([name, child]) => [name, [child.pid]])),
        );
        entry.trials.push(trial);
        ctx.log(
          `cpuFloor ${i + 1}/${ctx.flags.trials}: ${PROBES.map(([n]) => `${n} ${trial[n].cpuPct.toFixed(3)} % (${trial[n].wakeupsPerSec.toFixed(1)}/s)`).join(', ')}`,
        );
      } finally {
        for (const [, child] of children) child.kill('SIGKILL');
        await keeper.sweep().catch((error) => ctx.log(error.message));
      }
    }
    return { vigil: entry };
  },
};

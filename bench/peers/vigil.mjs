/**
 * vigil: `./vigil run` (the checkout's launcher, embedded mode) in its own VIGIL_HOME, default settings; the app is the
 * agent (`agent.command`) and heartbeats with the SDK. The leak scenario adds a memory limit.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { APP_SCRIPT, appEnv, LIMIT_BYTES } from '../lib/app-spec.mjs';
import { stopChild } from '../lib/processes.mjs';
import { watchdogTimeline } from '../lib/watchdog-timeline.mjs';

// VIGIL_BENCH_ROOT: another built checkout of vigil to measure (e.g. main, for a before/after).
const ROOT = process.env.VIGIL_BENCH_ROOT ?? fileURLToPath(new URL('../..', import.meta.url));
export const VIGIL_BIN = join(ROOT, 'packages/cli/dist/bin/vigil.js');
// The checkout's launcher: `./vigil run` is node with the daemon's flags (it execs, so its pid is the watchdog's).
const LAUNCHER = join(ROOT, 'vigil');
const CPU_LIMIT_PERCENT = 90;

/**
 * `bundled`: the agent is vigil's own vigil-agent (no agent.command), without the limits it
 * gets by default unless `cpuLimit`/`memoryLimit` ask for them. `cpuLimit`: 90 % of a core.
 */
function config({ files, mode, memoryLimit, cpuLimit, bundled }) {
  const watchdog = {};
  if (bundled && !memoryLimit && !cpuLimit) watchdog.resources = { bundledDefaults: false };
  if (cpuLimit) watchdog.resources = { ...watchdog.resources, cpu: { maxPercent: CPU_LIMIT_PERCENT } };
  if (memoryLimit) {
    watchdog.resources = {
      ...watchdog.resources,
      memory: {
        maxRssBytes: LIMIT_BYTES,
        ceilingRssBytes: Math.round(LIMIT_BYTES * 1.05),
        forSamples: 3,
      },
    };
  }
  if (bundled) return { watchdog };
  return {
    watchdog,
    agent: { command: [process.execPath, APP_SCRIPT], env: appEnv(files, { mode, vigil: true }) },
  };
}

/** What the config file leaves to the defaults, read from vigil itself (null if not built). */
function builtInDefaults() {
  const d = sharedModule?.defaultConfig().watchdog;
  if (!d) return null;
  return {
    heartbeat: d.heartbeat,
    startup: d.startup,
    recovery: d.recovery,
    pressure: d.pressure,
    resources: { sampleIntervalMs: d.resources.sampleIntervalMs },
  };
}

const sharedModule = await import('@vigil/shared/config').catch(() => null);

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

export const vigil = {
  name: 'vigil',
  // memoryCheckMs: how often the peer looks at memory (vigil: resources.sampleIntervalMs).
  features: { hang: true, stop: true, memoryCheckMs: 250 },

  version() {
    const pkg = readJson(join(ROOT, 'packages/watchdog/package.json'));
    return pkg?.version ?? 'unknown';
  },

  /** The exact config file of a trial, and the built-in defaults that apply around it. */
  describeConfig(options) {
    const files = options.files ?? { events: '<events>', control: '<ctl>' };
    const text = JSON.stringify(config({ ...options, files }), null, 2);
    const d = builtInDefaults();
    return `$VIGIL_HOME/vigil.json:\n${text}\nbuilt-in defaults in force: ${JSON.stringify(d)}`;
  },

  /** One line for the report. */
  async summary() {
    const d = builtInDefaults();
    const hb = d
      ? `heartbeat ${d.heartbeat.intervalMs} ms / timeout ${d.heartbeat.timeoutMs} ms`
      : 'defaults unknown';
    const limit = JSON.stringify(config({ files: {}, memoryLimit: true }).watchdog.resources.memory);
    return `vigil: \`./vigil run\` (embedded; node --lite-mode --no-expose-wasm --max-semi-space-size=1 --single-threaded-gc), own VIGIL_HOME per trial, built-in defaults (${hb}); leak scenario adds watchdog.resources.memory = ${limit}`;
  },

  async start({ keeper, dir, files, mode = 'run', memoryLimit = false, cpuLimit = false, bundled = false }) {
    const home = join(dir, 'vh');
    mkdirSync(home);
    const configFile = join(home, 'vigil.json');
    writeFileSync(
      configFile,
      `${JSON.stringify(config({ files, mode, memoryLimit, cpuLimit, bundled }), null, 2)}\n`,
    );
    const env = keeper.env({ VIGIL_HOME: home });
    const child = keeper.spawn(LAUNCHER, ['run'], {
      env,
      cwd: dir,
      logFile: join(dir, 'vigil-run.out'),
    });
    const statusFile = join(home, 'run', 'status.json');
    const status = () => readJson(statusFile);
    return {
      supervisorPids: () => [child.pid],
      appPid: () => status()?.agent?.pid ?? null,
      /** The pair, measured apart: the watchdog, and the agent it runs (the app, or vigil-agent). */
      parts: () => ({ watchdog: [child.pid], agent: [status()?.agent?.pid].filter(Boolean) }),
      statusCommand: () => ({ command: process.execPath, args: [VIGIL_BIN, 'status', '--json'], env }),
      isReady: () => status()?.agent?.state === 'healthy',
      async state() {
        const s = status();
        if (!s) return 'no status.json';
        // Stable words only (no countdown), so equal states group together in the report.
        const parts = [s.agent.state];
        if (s.recovery.backoffMs !== null) parts.push(s.agent.state === 'failed' ? 'probing' : 'backing off');
        parts.push(`${s.agent.restarts} restarts`);
        return parts.join(', ');
      },
      /** Where vigil's own time went after `since`, from its log (see watchdog-timeline.mjs). */
      timeline: (since) => watchdogTimeline(join(home, 'log', 'watchdog.log'), since),
      stop: () => stopChild(child, { timeoutMs: 10_000, what: 'vigil run to exit after SIGTERM' }),
    };
  },
};

#!/usr/bin/env node
/**
 * The benchmark: vigil against PM2, supervisord and monit supervising the same app
 * (bench/app/app.mjs), in one run. Progress goes to stderr; the markdown table to stdout; the
 * figures, every trial and every config to bench/results/<date>-<host>.json.
 * `node bench/run.mjs --help` for the flags.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HELP, parseFlags, UsageError } from './lib/flags.mjs';
import { describeMachine, measureOrphanReapMs } from './lib/machine.mjs';
import { ProcessKeeper } from './lib/processes.mjs';
import { monit } from './peers/monit.mjs';
import { pm2Peer } from './peers/pm2.mjs';
import { supervisord } from './peers/supervisord.mjs';
import { vigil } from './peers/vigil.mjs';
import { resultsPath, writeResults } from './report/results-writer.mjs';
import { summarizeRun } from './report/summarize.mjs';
import { renderTable } from './report/table.mjs';
import { judgeTargets } from './report/targets.mjs';
import { cpuFloor } from './scenarios/cpu-floor.mjs';
import { crashLoop } from './scenarios/crash-loop.mjs';
import { floor } from './scenarios/floor.mjs';
import { hang } from './scenarios/hang.mjs';
import { idle } from './scenarios/idle.mjs';
import { kill9 } from './scenarios/kill9.mjs';
import { leak } from './scenarios/leak.mjs';
import { memFloor } from './scenarios/mem-floor.mjs';
import { schedIdle, schedLimits } from './scenarios/sched-idle.mjs';
import { sigstop } from './scenarios/sigstop.mjs';
import { startup } from './scenarios/startup.mjs';
import { statusLatency } from './scenarios/status-latency.mjs';

const SCENARIOS = {
  kill9,
  hang,
  sigstop,
  leak,
  idle,
  crashLoop,
  schedIdle,
  schedLimits,
  startup,
  statusLatency,
  memFloor,
  cpuFloor,
};
const VIGIL_BIN = fileURLToPath(new URL('../packages/cli/dist/bin/vigil.js', import.meta.url));
const AGENT_SDK = fileURLToPath(new URL('../packages/agent-sdk/dist/index.js', import.meta.url));
const INSTALL = fileURLToPath(new URL('./install-peers.sh', import.meta.url));

const log = (line) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

function fail(message, code = 1) {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(code);
}

let flags;
try {
  flags = parseFlags(process.argv.slice(2));
} catch (error) {
  if (error instanceof UsageError) fail(`${error.message}\n\n${HELP}`, 64);
  throw error;
}
if (flags.help) {
  process.stdout.write(`${HELP}\n`);
  process.exit(0);
}
for (const built of [VIGIL_BIN, AGENT_SDK]) {
  if (!existsSync(built)) fail(`${built} is missing: build vigil first (pnpm build, or scripts/setup.sh)`);
}
if (!flags.skipInstall) {
  log(`checking the peers (${INSTALL})`);
  const install = spawnSync('/bin/sh', [INSTALL, flags.peersPrefix], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (install.status !== 0)
    fail(`bench/install-peers.sh failed (exit ${install.status}); see its output above`);
}

const ALL_PEERS = { vigil, pm2: pm2Peer(join(flags.peersPrefix, 'pm2')), supervisord, monit };
const peers = flags.peers.map((name) => ALL_PEERS[name]);
const keeper = new ProcessKeeper(`vb${process.pid}x${Date.now().toString(36)}`);
const tmp = mkdtempSync('/tmp/vb-');
const ctx = { flags, peers, keeper, tmp, log };

const startedAt = new Date().toISOString();
const machine = describeMachine();
const results = {
  schema: 1,
  startedAt,
  finishedAt: null,
  aborted: false,
  command: ['node', 'bench/run.mjs', ...process.argv.slice(2)].join(' '),
  flags,
  machine,
  peers: {},
  floor: { trials: [] },
  scenarios: {},
  targets: [],
  configNotes: [],
};
const outPath = resultsPath(startedAt, machine.hostname, flags.out);

let interrupted = false;
function onSignal(signal) {
  if (interrupted) process.exit(130);
  interrupted = true;
  log(`${signal}: killing every process of this run`);
  keeper.killAllNow();
  results.aborted = true;
  results.finishedAt = new Date().toISOString();
  try {
    writeResults(outPath, summarizeRun(results));
    log(`partial results in ${outPath}`);
  } catch (error) {
    log(`could not write the partial results: ${error.message}`);
  }
  // A second look: anything the first SIGKILL raced with (a restart in flight) goes too.
  setTimeout(() => {
    keeper.killAllNow();
    const left = keeper.survivors();
    if (left.length) log(`still alive after SIGKILL: ${left.join(', ')}`);
    if (!flags.keepTmp) rmSync(tmp, { recursive: true, force: true });
    process.exit(130);
  }, 300);
}
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

try {
  results.machine.orphanReapMs = await measureOrphanReapMs(keeper.scoped('reap'));
  for (const peer of peers) {
    results.peers[peer.name] = { version: await peer.version(keeper.scoped('version')) };
    results.configNotes.push(await peer.summary());
  }
  log(
    `peers: ${Object.entries(results.peers)
      .map(([n, p]) => `${n} ${p.version}`)
      .join(', ')}; orphan reap by PID 1: ${results.machine.orphanReapMs} ms`,
  );

  // The floor is sampled between kill -9 rounds (same load as the figure it is compared with),
  // or on its own first when that scenario is not in the run.
  ctx.sampleFloor = async (n) => results.floor.trials.push(...(await floor.run(ctx, n)).trials);
  if (!flags.only.includes('kill9')) await ctx.sampleFloor(flags.floorTrials);
  for (const id of flags.only) {
    const scenario = SCENARIOS[id];
    log(`── ${scenario.title}`);
    results.scenarios[id] = { title: scenario.title, peers: await scenario.run(ctx) };
    writeResults(outPath, summarizeRun(results));
  }
} catch (error) {
  log(`the run stopped: ${error.stack ?? error}`);
  results.error = String(error);
} finally {
  await keeper.sweep().catch((error) => log(error.message));
}

results.machine.loadavgAtEnd = loadavg();
results.finishedAt = new Date().toISOString();
summarizeRun(results);
results.targets = judgeTargets(results);
const left = keeper.survivors();
results.cleanup = { leftover: left };
writeResults(outPath, results);
if (!flags.keepTmp) rmSync(tmp, { recursive: true, force: true });

process.stdout.write(renderTable(results));
process.stdout.write(`\nresults: ${outPath}\n`);
log(
  left.length
    ? `LEFT RUNNING: ${left.join(', ')}`
    : 'cleanup: no process of this run is left (checked in /proc)',
);
process.exit(results.error ? 1 : 0);

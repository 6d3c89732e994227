/**
 * CPU and wakeups from the scheduler's own accounting: /proc/<pid>/task/<tid>/schedstat (ns on
 * the CPU, every thread) and the context switches in each thread's status (a switch is the
 * thread going to sleep or being preempted: an idle process's count is its wakeups). utime and
 * stime are 10 ms ticks, too coarse for a process that runs 0.05 % of a core; schedstat is not.
 * Children a process has reaped are in its /proc/<pid>/stat cutime + cstime (ticks).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { CLK_TCK, readMemory, readStat } from './proc.mjs';
import { pollUntil } from './wait-for.mjs';

const NS_PER_TICK = 1e9 / CLK_TCK;

function read(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** ns on the CPU and context switches of every thread of `pid`, plus its reaped children's ns; null if gone. */
export function readSched(pid) {
  let tasks;
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return null;
  }
  let ns = 0;
  let switches = 0;
  for (const tid of tasks) {
    const sched = read(`/proc/${pid}/task/${tid}/schedstat`);
    if (sched) ns += Number(sched.split(' ')[0]);
    const status = read(`/proc/${pid}/task/${tid}/status`);
    if (status)
      for (const m of status.matchAll(/^(?:non)?voluntary_ctxt_switches:\s+(\d+)$/gm))
        switches += Number(m[1]);
  }
  const stat = readStat(pid);
  if (!stat) return null;
  return { ns, switches, childrenNs: (stat.cutime + stat.cstime) * NS_PER_TICK, threads: tasks.length };
}

/**
 * Measures groups of pids (e.g. { watchdog: [pid], agent: [pid] }) over one window: CPU from
 * schedstat, wakeups/s, reaped children's CPU, and VmRSS/RssAnon sampled every second.
 * `window(sampleEachSecond)` runs the wait; the groups are read before and after it.
 */
export async function measureGroups(groups, waitWindow) {
  const take = () => {
    const out = {};
    for (const [name, pids] of Object.entries(groups)) {
      out[name] = pids.map((pid) => {
        const s = readSched(pid);
        if (!s) throw new Error(`${name} process ${pid} went away during the window`);
        return s;
      });
    }
    return out;
  };
  const memory = Object.fromEntries(Object.keys(groups).map((name) => [name, []]));
  const sampleMemory = () => {
    for (const [name, pids] of Object.entries(groups)) {
      let rss = 0;
      let anon = 0;
      for (const pid of pids) {
        const m = readMemory(pid);
        rss += m?.rss ?? 0;
        anon += m?.anon ?? 0;
      }
      memory[name].push({ rss, anon });
    }
  };
  const t0 = performance.now();
  const before = take();
  await waitWindow(sampleMemory);
  const after = take();
  const seconds = (performance.now() - t0) / 1000;
  const sum = (list, key) => list.reduce((n, s) => n + s[key], 0);
  const mean = (list, key) => list.reduce((n, s) => n + s[key], 0) / list.length / 1e6;
  const result = { seconds };
  for (const name of Object.keys(groups)) {
    const ns = sum(after[name], 'ns') - sum(before[name], 'ns');
    const childrenNs = sum(after[name], 'childrenNs') - sum(before[name], 'childrenNs');
    result[name] = {
      pids: groups[name].join(','),
      cpuNs: ns,
      cpuPct: (ns / 1e9 / seconds) * 100,
      childrenCpuPct: (childrenNs / 1e9 / seconds) * 100,
      totalCpuPct: ((ns + childrenNs) / 1e9 / seconds) * 100,
      wakeupsPerSec: (sum(after[name], 'switches') - sum(before[name], 'switches')) / seconds,
      threads: sum(after[name], 'threads'),
      rssMB: mean(memory[name], 'rss'),
      rssAnonMB: mean(memory[name], 'anon'),
    };
  }
  return result;
}

/**
 * The idle window of every schedstat scenario: `--idle-settle-seconds` first (each node process
 * runs V8's memory reducer, two full collections, about 8 s after it starts), then `groups()` —
 * taken after the settle, when the pids are final — measured over `--idle-seconds`, memory
 * sampled every second.
 */
export async function settleAndMeasure(flags, groups) {
  await sleep(flags.idleSettleSeconds * 1000);
  const end = Date.now() + flags.idleSeconds * 1000;
  return measureGroups(groups(), (sample) =>
    pollUntil(
      () => {
        sample();
        return false;
      },
      { deadline: end, intervalMs: 1000 },
    ),
  );
}

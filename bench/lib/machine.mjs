/** The machine a run happened on, for the results file: CPU, cores, memory, kernel, load, Node. */
import { readFileSync } from 'node:fs';
import { cpus, hostname, loadavg, release, totalmem } from 'node:os';

function osRelease() {
  try {
    const text = readFileSync('/etc/os-release', 'utf8');
    return /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(text)?.[1] ?? null;
  } catch {
    return null;
  }
}

export function describeMachine() {
  const list = cpus();
  return {
    hostname: hostname(),
    cpuModel: list[0]?.model ?? 'unknown',
    cores: list.length,
    ramBytes: totalmem(),
    kernel: release(),
    os: osRelease(),
    node: process.version,
    loadavgAtStart: loadavg(),
  };
}

/**
 * How long PID 1 takes to reap an orphan that died: immediate under systemd, up to a second
 * under some container inits. It matters to monit, whose app is an orphan (see peers/monit.mjs).
 */
export async function measureOrphanReapMs(keeper) {
  const { existsSync } = await import('node:fs');
  const out = await keeper.run('/bin/sh', ['-c', 'sleep 30 >/dev/null 2>&1 & echo $!'], {
    env: keeper.env(),
    timeoutMs: 5000,
  });
  const pid = Number(out.stdout.trim());
  if (!pid) return null;
  const t0 = performance.now();
  process.kill(pid, 'SIGKILL');
  while (existsSync(`/proc/${pid}`) && performance.now() - t0 < 5000) {
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return Math.round(performance.now() - t0);
}

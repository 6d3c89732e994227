/** Process checks for end-to-end tests: is a pid alive, which processes carry a marker. */
import { readdirSync, readFileSync } from 'node:fs';

export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Pids whose environment contains `NAME=value` (e.g. the test's VIGIL_HOME): every process of a pair. */
export function pidsWithEnv(name: string, value: string): number[] {
  const needle = `${name}=${value}\0`;
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      if (`${readFileSync(`/proc/${pid}/environ`, 'latin1')}\0`.includes(needle) && isAlive(pid))
        out.push(pid);
    } catch {
      // gone or not ours
    }
  }
  return out;
}

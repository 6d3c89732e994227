/** The run's JSON: bench/results/<date>-<host>.json unless --out says otherwise. */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const RESULTS_DIR = fileURLToPath(new URL('../results', import.meta.url));

export function resultsPath(startedAt, hostname, out) {
  if (out) return out;
  const stamp = startedAt.replace(/[:]/g, '').replace(/\.\d+Z$/, 'Z');
  return join(RESULTS_DIR, `${stamp}-${hostname.replace(/[^A-Za-z0-9_.-]/g, '_')}.json`);
}

/** Written atomically, so a Ctrl-C mid-write never leaves half a file. */
export function writeResults(path, results) {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(results, null, 2)}\n`);
  renameSync(tmp, path);
  return path;
}

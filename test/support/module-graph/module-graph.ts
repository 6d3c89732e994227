/**
 * What a process loaded, from the file record-modules.mjs wrote: vigil's own files by package
 * and the third-party packages, each with its file count.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const RECORD_MODULES = fileURLToPath(new URL('./record-modules.mjs', import.meta.url));

/** The `--import` argument that records into `out`. */
export function recordModulesArg(out: string): string {
  return `--import=file://${RECORD_MODULES}?out=${encodeURIComponent(out)}`;
}

export interface ModuleGraph {
  /** vigil's packages (shared, watchdog, …) → files loaded from each. */
  vigil: Map<string, Set<string>>;
  /** Third-party packages by name → files loaded from each. */
  thirdParty: Map<string, Set<string>>;
}

const THIRD_PARTY = /.*\/node_modules\/((?:@[^/]+\/)?[^/]+)\//;
const VIGIL = /\/packages\/([^/]+)\/(?:dist|bin)\//;

export function readModuleGraph(file: string): ModuleGraph {
  const graph: ModuleGraph = { vigil: new Map(), thirdParty: new Map() };
  const add = (map: Map<string, Set<string>>, key: string, path: string) => {
    const files = map.get(key) ?? new Set<string>();
    files.add(path);
    map.set(key, files);
  };
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.startsWith('file:')) continue;
    let path = fileURLToPath(line.replace(/\?.*$/, ''));
    try {
      path = realpathSync(path);
    } catch {}
    if (path.includes('/test/support/module-graph/')) continue;
    const thirdParty = THIRD_PARTY.exec(path);
    if (thirdParty?.[1]) {
      add(graph.thirdParty, thirdParty[1], path);
      continue;
    }
    const vigil = VIGIL.exec(path);
    if (vigil?.[1]) add(graph.vigil, vigil[1], path);
    else add(graph.vigil, '(other)', path);
  }
  return graph;
}

export function count(map: Map<string, Set<string>>): number {
  let n = 0;
  for (const files of map.values()) n += files.size;
  return n;
}

/** `name (files)` for each entry: what a failing assertion or the report prints. */
export function describe(map: Map<string, Set<string>>): string {
  return [...map].map(([name, files]) => `${name} (${files.size})`).join(', ');
}

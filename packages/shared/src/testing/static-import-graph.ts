/**
 * What a process that runs `entries` loads before any dynamic import() runs: the static
 * import/export graph of built JavaScript, read as text. Relative specifiers and the workspace's
 * own packages (those that resolve outside node_modules) are followed; a third-party package is
 * a leaf, recorded by name. Node's builtins are left out.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, resolve, sep } from 'node:path';
import { resolvePackageImport, splitSpecifier } from './resolve-package-import.js';

export interface StaticImportGraph {
  /** The real paths of the files walked: the entries and every workspace file they reach. */
  files: Set<string>;
  /** Each package reached (the workspace's and third-party), with the first file that imports it. */
  packages: Map<string, string>;
}

const STATIC_IMPORT = /^\s*(?:import|export)\s(?:[^'"]*?\sfrom\s)?['"]([^'"]+)['"]/gm;
const IN_NODE_MODULES = `${sep}node_modules${sep}`;

export function staticImportGraph(entries: string[]): StaticImportGraph {
  const files = new Set<string>();
  const packages = new Map<string, string>();
  const queue = entries.map((entry) => realpathSync(entry));
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (files.has(file)) continue;
    files.add(file);
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(STATIC_IMPORT)) {
      if (!specifier || isBuiltin(specifier)) continue;
      if (specifier.startsWith('.') || specifier.startsWith('/')) {
        queue.push(realpathSync(resolve(dirname(file), specifier)));
        continue;
      }
      const { name } = splitSpecifier(specifier);
      if (!packages.has(name)) packages.set(name, file);
      const target = resolvePackageImport(specifier, file);
      if (!target.includes(IN_NODE_MODULES)) queue.push(target);
    }
  }
  return { files, packages };
}

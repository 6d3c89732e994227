/**
 * Resolves a bare specifier (`pino`, `@vigil/shared/config`) imported by `fromFile` as Node's ESM
 * loader does: the nearest node_modules/<name> up from the importer, then its package.json
 * `exports` under the `node`, `import` and `default` conditions (or `main` / index.js where it has
 * none), then the real path.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';

const CONDITIONS = new Set(['node', 'import', 'default']);

/** `@scope/name` or `name`, and the subpath after it (`.`, `./config`). */
export function splitSpecifier(specifier: string): { name: string; subpath: string } {
  const parts = specifier.split('/');
  const length = specifier.startsWith('@') ? 2 : 1;
  const rest = parts.slice(length).join('/');
  return { name: parts.slice(0, length).join('/'), subpath: rest ? `./${rest}` : '.' };
}

export function resolvePackageImport(specifier: string, fromFile: string): string {
  const { name, subpath } = splitSpecifier(specifier);
  const dir = findPackageDir(name, dirname(fromFile));
  if (!dir) throw new Error(`cannot find package ${name} imported by ${fromFile}`);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    exports?: unknown;
    main?: string;
  };
  let target: string | undefined;
  if (manifest.exports !== undefined) {
    target = exportTarget(manifest.exports, subpath);
    if (!target) throw new Error(`${name}'s package.json exports no ${subpath} (imported by ${fromFile})`);
  } else {
    target = subpath === '.' ? (manifest.main ?? './index.js') : subpath;
  }
  return realpathSync(join(dir, target));
}

function findPackageDir(name: string, from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

function exportTarget(exports: unknown, subpath: string): string | undefined {
  const map = isSubpathMap(exports) ? exports : { '.': exports };
  if (subpath in map) return conditionalTarget(map[subpath]);
  // A pattern (`./lib/*.js`): the one with the longest prefix before its `*` wins.
  let best: { prefix: string; match: string; value: unknown } | undefined;
  for (const [key, value] of Object.entries(map)) {
    const star = key.indexOf('*');
    if (star < 0) continue;
    const [prefix, suffix] = [key.slice(0, star), key.slice(star + 1)];
    if (!subpath.startsWith(prefix) || !subpath.endsWith(suffix) || subpath.length < key.length - 1) continue;
    if (best && best.prefix.length >= prefix.length) continue;
    best = { prefix, match: subpath.slice(prefix.length, subpath.length - suffix.length), value };
  }
  return best && conditionalTarget(best.value)?.replaceAll('*', best.match);
}

function isSubpathMap(exports: unknown): exports is Record<string, unknown> {
  return (
    typeof exports === 'object' &&
    exports !== null &&
    !Array.isArray(exports) &&
    Object.keys(exports).some((key) => key.startsWith('.'))
  );
}

/** The first target, in the package's own key order, whose condition the ESM loader matches. */
function conditionalTarget(target: unknown): string | undefined {
  if (typeof target === 'string') return target;
  if (Array.isArray(target)) {
    for (const item of target) {
      const found = conditionalTarget(item);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof target !== 'object' || target === null) return undefined;
  for (const [condition, value] of Object.entries(target)) {
    if (!CONDITIONS.has(condition)) continue;
    const found = conditionalTarget(value);
    if (found) return found;
  }
  return undefined;
}

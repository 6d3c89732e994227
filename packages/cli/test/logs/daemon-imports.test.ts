// `vigil run` is the daemon: what it loads must stay small, so the logs feature (and pino-pretty)
// is reached only through main.ts's dynamic import of commands/logs.js.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));
const WORKSPACE: Record<string, string> = {
  '@vigil/shared': resolve(DIST, '../../shared/dist/index.js'),
  '@vigil/shared/core': resolve(DIST, '../../shared/dist/core.js'),
  '@vigil/agent': resolve(DIST, '../../agent/dist/index.js'),
};
const STATIC_IMPORT = /^\s*(?:import|export)\s(?:[^'"]*?\sfrom\s)?['"]([^'"]+)['"]/gm;

/** Every file and package `entry` loads before any dynamic import runs. */
function staticGraph(entries: string[]): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const queue = [...entries];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (files.has(file)) continue;
    files.add(file);
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(STATIC_IMPORT)) {
      if (!specifier) continue;
      if (specifier.startsWith('.')) queue.push(resolve(dirname(file), specifier));
      else if (WORKSPACE[specifier] && existsSync(WORKSPACE[specifier])) queue.push(WORKSPACE[specifier]);
      else packages.add(specifier);
    }
  }
  return { files, packages };
}

test('vigil run never loads the logs modules or pino-pretty', () => {
  const { files, packages } = staticGraph([resolve(DIST, 'main.js'), resolve(DIST, 'commands/run.js')]);
  assert.ok(files.size > 10, `walked ${files.size} files`);
  assert.deepEqual(
    [...files].filter((file) => file.includes('/dist/logs/') || file.endsWith('commands/logs.js')),
    [],
  );
  assert.ok(!packages.has('pino-pretty'), [...packages].join(', '));
  // And the logs command itself does load it: the walk would notice.
  assert.ok(staticGraph([resolve(DIST, 'commands/logs.js')]).packages.has('pino-pretty'));
});

// The embedded daemon (vigil-watchdog, and `vigil run`, outside systemd) loads only what it
// runs: execa is for systemd mode (systemctl, systemd-notify) and yaml for a YAML config file,
// both imported on use. (test/e2e/module-graph.test.ts holds the same over a running daemon.)
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));
const WORKSPACE: Record<string, string> = {
  '@vigil/shared': resolve(DIST, '../../shared/dist/index.js'),
  '@vigil/shared/config': resolve(DIST, '../../shared/dist/config/index.js'),
};
const STATIC_IMPORT = /^\s*(?:import|export)\s(?:[^'"]*?\sfrom\s)?['"]([^'"]+)['"]/gm;

/** The packages `entries` load before any dynamic import runs, and who imports each. */
function staticPackages(entries: string[]): Map<string, string> {
  const files = new Set<string>();
  const packages = new Map<string, string>();
  const queue = [...entries];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (files.has(file)) continue;
    files.add(file);
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(STATIC_IMPORT)) {
      if (!specifier) continue;
      if (specifier.startsWith('.')) queue.push(resolve(dirname(file), specifier));
      else if (WORKSPACE[specifier] && existsSync(WORKSPACE[specifier])) queue.push(WORKSPACE[specifier]);
      else if (!packages.has(specifier)) packages.set(specifier, file);
    }
  }
  return packages;
}

test('the daemon loads neither execa nor yaml before it needs them', () => {
  const packages = staticPackages([
    resolve(DIST, 'bin/vigil-watchdog.js'),
    resolve(DIST, 'daemon/run-watchdog.js'),
  ]);
  assert.ok(packages.size > 3, `found ${[...packages.keys()].join(', ')}`);
  for (const name of ['execa', 'yaml']) {
    assert.ok(!packages.has(name), `${name} is imported statically by ${packages.get(name)}`);
  }
  // The walk does see the daemon's static imports of packages.
  assert.ok(packages.has('pino'), `found ${[...packages.keys()].join(', ')}`);
});

// The package rules (DESIGN.md §7) as each package.json states them: what a package may not
// depend on, and that its TypeScript project references are its workspace dependencies.
// test/e2e/module-graph.test.ts checks the same rules over what the processes really load.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';

const PACKAGES = new URL('../packages/', import.meta.url);

const FORBIDDEN: Record<string, string[]> = {
  shared: ['@vigil/watchdog', '@vigil/agent', '@vigil/agent-sdk', '@vigil/cli'],
  watchdog: ['@vigil/agent', '@vigil/agent-sdk', '@vigil/cli', 'pino-pretty'],
  'agent-sdk': ['prom-client', 'execa', 'ps-list', '@vigil/agent', '@vigil/watchdog', '@vigil/cli'],
  agent: ['@vigil/watchdog', '@vigil/cli'],
  cli: [],
};

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

function read(dir: string): { manifest: Manifest; references: string[] } {
  const manifest = JSON.parse(readFileSync(new URL(`${dir}/package.json`, PACKAGES), 'utf8')) as Manifest;
  const tsconfig = JSON.parse(readFileSync(new URL(`${dir}/tsconfig.json`, PACKAGES), 'utf8')) as {
    references?: { path: string }[];
  };
  return { manifest, references: (tsconfig.references ?? []).map((r) => r.path.replace(/^\.\.\//, '')) };
}

test('the five packages, and none more', () => {
  assert.deepEqual(readdirSync(PACKAGES).sort(), Object.keys(FORBIDDEN).sort());
});

for (const [dir, forbidden] of Object.entries(FORBIDDEN)) {
  test(`${dir}: depends on nothing the rules forbid; its references are its workspace dependencies`, () => {
    const { manifest, references } = read(dir);
    assert.equal(manifest.name, `@vigil/${dir}`);
    const all = {
      ...manifest.dependencies,
      ...manifest.devDependencies,
      ...manifest.peerDependencies,
      ...manifest.optionalDependencies,
    };
    assert.deepEqual(
      Object.keys(all).filter((name) => forbidden.includes(name)),
      [],
      `${manifest.name} depends on what it must not`,
    );
    const workspace = Object.keys(manifest.dependencies ?? {})
      .filter((name) => name.startsWith('@vigil/'))
      .map((name) => name.slice('@vigil/'.length));
    assert.deepEqual(references.sort(), workspace.sort(), `${dir}/tsconfig.json references`);
  });
}

#!/usr/bin/env node
// Runs vigil's tests on node's built-in runner, TypeScript through tsx. Node 20 cannot glob
// test files itself, so this finds them: unit tests under packages/*/test, end-to-end tests
// under test/. Arguments narrow the set: `unit`, `e2e`, or substrings of file paths.
//
//   node scripts/run-tests.mjs            all of them
//   node scripts/run-tests.mjs unit       packages/*/test only
//   node scripts/run-tests.mjs ladder     files whose path contains "ladder"
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function walk(dir, out = []) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    if (name === 'node_modules' || name === 'dist' || name === 'fixtures') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, path));
  }
  return out;
}

const unit = readdirSync(join(root, 'packages')).flatMap((pkg) => walk(join(root, 'packages', pkg, 'test')));
const e2e = walk(join(root, 'test'));
const args = process.argv.slice(2);
let files = [...unit, ...e2e];
if (args.includes('unit')) files = unit;
else if (args.includes('e2e')) files = e2e;
const filters = args.filter((a) => a !== 'unit' && a !== 'e2e');
if (filters.length) files = files.filter((f) => filters.some((s) => f.includes(s)));
files.sort();
if (files.length === 0) {
  console.error(`no test files match ${args.join(' ')}`);
  process.exit(1);
}

const result = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    `--test-concurrency=${process.env.VIGIL_TEST_CONCURRENCY ?? '2'}`,
    '--test-timeout=180000',
    `--test-reporter=${process.env.VIGIL_TEST_REPORTER ?? 'spec'}`,
    ...files,
  ],
  { cwd: root, stdio: 'inherit' },
);
process.exit(result.status ?? 1);

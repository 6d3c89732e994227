#!/usr/bin/env node
// `pnpm release`: builds, then packs every package into dist-release/ as npm tarballs (pnpm pack
// writes each workspace:* dependency as the version it points to, so the tarballs install
// together with plain npm, no workspace), and writes SHA256SUMS beside them.
//
//   node scripts/release.mjs [OUT_DIR]     default: dist-release/
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = resolve(process.argv[2] ?? join(root, 'dist-release'));

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) {
    process.stderr.write(`release: ${command} ${args.join(' ')} failed (exit ${result.status})\n`);
    process.exit(1);
  }
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
run('pnpm', ['exec', 'tsc', '-b']);
run('pnpm', ['-r', '--filter', './packages/*', 'pack', '--pack-destination', out]);

const tarballs = readdirSync(out)
  .filter((name) => name.endsWith('.tgz'))
  .sort();
const sums = tarballs.map((name) => {
  const digest = createHash('sha256')
    .update(readFileSync(join(out, name)))
    .digest('hex');
  return `${digest}  ${name}\n`;
});
writeFileSync(join(out, 'SHA256SUMS'), sums.join(''));
process.stdout.write(`release: ${tarballs.length} tarballs and SHA256SUMS in ${out}\n${sums.join('')}`);

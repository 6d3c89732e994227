// vigil as an outside user gets it: `pnpm release` packs the tarballs, plain npm installs them
// in a folder of their own (no workspace, no pnpm), and the installed `vigil` runs the pair; a
// service outside the checkout installs @vigil/agent-sdk from its tarball and is supervised by
// that watchdog. Needs the npm registry for the third-party dependencies.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { StatusSnapshot } from '@vigil/shared';
import { paced, waitFor } from '@vigil/shared/testing';
import { cleanEnv, ROOT } from '../support/pair.ts';

const base = mkdtempSync('/tmp/vg-release-');
const release = join(base, 'release');
let watchdog: ChildProcess | undefined;
after(() => {
  if (watchdog && watchdog.exitCode === null) watchdog.kill('SIGKILL');
  rmSync(base, { recursive: true, force: true });
});

/** The user's own environment for npm (its registry, proxy and CA settings), without what a runner added. */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key === 'NODE_OPTIONS' || key.startsWith('npm_') || key.startsWith('PNPM_')) continue;
    env[key] = value;
  }
  return { ...env, npm_config_update_notifier: 'false', ...extra };
}

function sh(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = cleanEnv()) {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: paced(240_000) });
  assert.equal(result.status, 0, `${command} ${args.join(' ')}:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

function tarball(name: string): string {
  const file = readdirSync(release).find((f) => f.startsWith(`vigil-${name}-`) && f.endsWith('.tgz'));
  assert.ok(file, `no ${name} tarball in ${readdirSync(release).join(' ')}`);
  return join(release, file);
}

test('the release tarballs install with npm alone, and the installed vigil and SDK work', async () => {
  sh(process.execPath, [join(ROOT, 'scripts/release.mjs'), release], ROOT, userEnv());
  const sums = readFileSync(join(release, 'SHA256SUMS'), 'utf8').trim().split('\n');
  assert.equal(sums.length, 5, sums.join('\n'));
  sh('sha256sum', ['--check', '--quiet', 'SHA256SUMS'], release);

  // `npm install -g` into a prefix of the test's own, as the README's Install section says.
  const prefix = join(base, 'prefix');
  const npmEnv = userEnv({ npm_config_prefix: prefix });
  const all = ['cli', 'watchdog', 'agent', 'agent-sdk', 'shared'].map(tarball);
  sh('npm', ['install', '-g', '--no-audit', '--no-fund', ...all], base, npmEnv);
  const vigil = join(prefix, 'bin', 'vigil');
  assert.equal(
    sh(vigil, ['--version'], base).trim(),
    JSON.parse(readFileSync(join(ROOT, 'packages/cli/package.json'), 'utf8')).version,
  );

  // A service outside the checkout: its own package.json, the SDK from its tarball.
  const service = join(base, 'service');
  mkdirSync(service);
  writeFileSync(
    join(service, 'package.json'),
    JSON.stringify({ name: 'tiny-service', private: true, type: 'module' }),
  );
  writeFileSync(
    join(service, 'service.mjs'),
    [
      "import { createAgent } from '@vigil/agent-sdk';",
      "const agent = createAgent({ name: 'tiny-service' });",
      "agent.onRecover('soft', () => 'nothing to clear');",
      "process.on('SIGTERM', () => void agent.stop().then(() => process.exit(0)));",
      'agent.start();',
      "agent.setState('ready');",
      '',
    ].join('\n'),
  );
  sh(
    'npm',
    ['install', '--no-audit', '--no-fund', tarball('agent-sdk'), tarball('shared')],
    service,
    userEnv(),
  );

  const home = join(base, 'home');
  mkdirSync(home, { mode: 0o700 });
  const config = {
    watchdog: { heartbeat: { intervalMs: 100, timeoutMs: 1000 }, startup: { graceMs: 10_000 } },
    agent: { command: [process.execPath, join(service, 'service.mjs')] },
  };
  writeFileSync(join(home, 'vigil.json'), JSON.stringify(config));
  const env = cleanEnv({ VIGIL_HOME: home });
  let output = '';
  watchdog = spawn(vigil, ['run'], { cwd: base, env, stdio: ['ignore', 'pipe', 'pipe'] });
  watchdog.stdout?.on('data', (d) => {
    output += d;
  });
  watchdog.stderr?.on('data', (d) => {
    output += d;
  });
  let last = '';
  await waitFor(
    () => {
      if (watchdog?.exitCode !== null) throw new Error(`vigil run exited:\n${output}`);
      const result = spawnSync(vigil, ['status', '--json'], { cwd: base, env, encoding: 'utf8' });
      last = result.stdout;
      return result.status === 0;
    },
    paced(30_000),
    () => `the installed pair healthy; last status: ${last}\n${output}`,
  );
  const status = JSON.parse(last) as StatusSnapshot;
  assert.equal(status.agent.state, 'healthy');
  assert.equal(status.watchdog.mode, 'embedded');
  assert.match(readFileSync(`/proc/${status.agent.pid}/cmdline`, 'utf8'), /service\.mjs/);
  const exited = new Promise((resolve) => watchdog?.once('exit', resolve));
  watchdog.kill('SIGTERM');
  assert.equal(await exited, 0, output);
});

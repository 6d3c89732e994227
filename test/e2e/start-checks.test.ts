// What `vigil run` checks before it starts: a home another user owns or can write to is
// refused (exit 1, naming the path), and under systemd a config file that no longer validates
// is replaced by the last good config — loudly — instead of a restart loop with nobody
// supervising the agent. An interactive embedded `vigil run` still refuses a bad file.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { StatusSnapshot } from '@vigil/shared';
import { sendRequest } from '@vigil/shared/client';
import { waitFor } from '@vigil/shared/testing';
import { cleanEnv, TEST_WATCHDOG_CONFIG, VIGIL_BIN } from '../support/pair.ts';
import { pidsWithEnv } from '../support/processes.ts';

const homes: string[] = [];
after(() => {
  for (const home of homes) rmSync(home, { recursive: true, force: true });
});

function freshHome(): string {
  const home = mkdtempSync('/tmp/vg-start-');
  homes.push(home);
  writeFileSync(join(home, 'vigil.json'), JSON.stringify({ watchdog: TEST_WATCHDOG_CONFIG }));
  return home;
}

function vigil(args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, [VIGIL_BIN, ...args], {
    env: cleanEnv(env),
    encoding: 'utf8',
    timeout: 30_000,
  });
}

const isRoot = process.getuid?.() === 0;

/** A folder of another user: one given away when root can, else a system folder (root's). */
function foreignFolder(): { path: string; owner: number } {
  if (!isRoot) return { path: '/usr/share', owner: 0 };
  const path = freshHome();
  chownSync(path, 65534, 65534);
  return { path, owner: 65534 };
}

describe('vigil run refuses a home another user could aim (StrictModes)', () => {
  test('a group-writable home: exit 1, the path named, nothing started', () => {
    const home = freshHome();
    chmodSync(home, 0o770);
    const result = vigil(['run'], { VIGIL_HOME: home });
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, new RegExp(`${home} is writable by group`));
    assert.ok(!existsSync(join(home, 'run')), 'nothing was created');
  });

  test('a group-writable folder under the home: exit 1, that folder named', () => {
    const home = freshHome();
    mkdirSync(join(home, 'state'));
    chmodSync(join(home, 'state'), 0o775);
    const result = vigil(['run'], { VIGIL_HOME: home });
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, new RegExp(`${join(home, 'state')} is writable by group`));
  });

  test('a home owned by another user: exit 1, the path and its owner named', () => {
    const { path: home, owner } = foreignFolder();
    const result = vigil(['run'], { VIGIL_HOME: home });
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, new RegExp(`${home} is owned by uid ${owner}`));
    assert.ok(!existsSync(join(home, 'run')));
  });

  test('under systemd, a state folder of another user: exit 1, that folder named', () => {
    const base = freshHome();
    for (const name of ['run', 'log']) mkdirSync(join(base, name), { mode: 0o750 });
    const { path: state, owner } = foreignFolder();
    const result = vigil(['run'], {
      VIGIL_MODE: 'systemd',
      RUNTIME_DIRECTORY: join(base, 'run'),
      STATE_DIRECTORY: state,
      LOGS_DIRECTORY: join(base, 'log'),
      VIGIL_CONFIG: join(base, 'vigil.json'),
    });
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, new RegExp(`${state} is owned by uid ${owner}`));
  });
});

describe('the last good config under systemd', () => {
  let child: ChildProcess | undefined;
  after(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  test('an invalid config file at start: the watchdog starts on the last good one and says so everywhere', async () => {
    const base = freshHome();
    for (const name of ['run', 'state', 'log']) mkdirSync(join(base, name), { mode: 0o750 });
    const configFile = join(base, 'vigil.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        watchdog: { ...TEST_WATCHDOG_CONFIG, launcher: 'embedded' },
        agent: { metrics: { listen: '127.0.0.1:0' } },
      }),
    );
    const env = cleanEnv({
      VIGIL_MODE: 'systemd',
      RUNTIME_DIRECTORY: join(base, 'run'),
      STATE_DIRECTORY: join(base, 'state'),
      LOGS_DIRECTORY: join(base, 'log'),
      VIGIL_CONFIG: configFile,
      VIGIL_TEST_TAG: base,
    });
    const control = join(base, 'run', 'control.sock');
    const status = async () => {
      const response = await sendRequest(control, { op: 'status' }, 2000);
      if (!response.ok) throw new Error(response.error.message);
      return response.data as StatusSnapshot;
    };
    const start = () => {
      let output = '';
      const c = spawn(process.execPath, [VIGIL_BIN, 'run'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      c.stdout?.on('data', (d) => {
        output += d;
      });
      c.stderr?.on('data', (d) => {
        output += d;
      });
      child = c;
      return { child: c, output: () => output };
    };
    const stop = async (c: ChildProcess) => {
      const exited = new Promise((resolve) => c.once('exit', resolve));
      c.kill('SIGTERM');
      return exited;
    };
    const healthy = () =>
      waitFor(
        async () => {
          try {
            return (await status()).agent.state === 'healthy';
          } catch {
            return false;
          }
        },
        20_000,
        'the pair healthy',
      );

    // A clean start keeps the config it started on.
    const first = start();
    await healthy();
    assert.equal((await status()).watchdog.config?.source, 'file');
    const lastGood = join(base, 'state', 'config.last-good.json');
    assert.equal(JSON.parse(readFileSync(lastGood, 'utf8')).watchdog.heartbeat.timeoutMs, 1000);
    assert.equal(await stop(first.child), 0);
    await waitFor(() => pidsWithEnv('VIGIL_TEST_TAG', base).length === 0, 10_000, 'the first pair gone');

    // The file is broken while the watchdog is down; systemd starts it again.
    writeFileSync(configFile, '{ "watchdog": { "heartbeat": { "timeoutMs": "soon" } } }');
    const second = start();
    await healthy();
    const s = await status();
    assert.equal(s.watchdog.config?.source, 'last-good');
    assert.equal(s.watchdog.config?.file, configFile);
    assert.equal(s.watchdog.config?.fallback, lastGood);
    assert.match(s.watchdog.config?.error ?? '', /timeoutMs/);
    const logged = second
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { levelName?: string; msg?: string });
    assert.ok(
      logged.some((r) => r.levelName === 'error' && /runs on the last good config/.test(r.msg ?? '')),
      'a loud error in the log',
    );
    const cliEnv = { ...env } as Record<string, string>;
    const shown = vigil(['status'], cliEnv);
    assert.match(shown.stdout, /config +watchdog: REFUSED .*vigil\.json.*last good config/, shown.stdout);
    const why = vigil(['why'], cliEnv);
    assert.match(
      why.stdout,
      /refused its config file .*vigil\.json.* runs on the last good config/,
      why.stdout,
    );
    // The fallback is not made the new last good config: it stays what last started cleanly.
    assert.equal(JSON.parse(readFileSync(lastGood, 'utf8')).watchdog.heartbeat.timeoutMs, 1000);
    assert.equal(await stop(second.child), 0);
  });

  test('without a last good config, an invalid file is still refused under systemd (exit 1)', () => {
    const base = freshHome();
    for (const name of ['run', 'state', 'log']) mkdirSync(join(base, name), { mode: 0o750 });
    writeFileSync(join(base, 'vigil.json'), '{ "watchdog": 5 }');
    const result = vigil(['run'], {
      VIGIL_MODE: 'systemd',
      RUNTIME_DIRECTORY: join(base, 'run'),
      STATE_DIRECTORY: join(base, 'state'),
      LOGS_DIRECTORY: join(base, 'log'),
      VIGIL_CONFIG: join(base, 'vigil.json'),
    });
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, /VIGIL_CONFIG|problem/);
  });

  test('an interactive embedded vigil run still refuses an invalid file, even with a last good one', () => {
    const home = freshHome();
    mkdirSync(join(home, 'state'), { mode: 0o750 });
    writeFileSync(
      join(home, 'state', 'config.last-good.json'),
      JSON.stringify({ watchdog: TEST_WATCHDOG_CONFIG }),
    );
    writeFileSync(join(home, 'vigil.json'), '{ "watchdog": 5 }');
    const result = vigil(['run'], { VIGIL_HOME: home });
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, /vigil\.json/);
  });
});

// `vigil run` that cannot start because of the file system — another user's home, a file where a
// folder must be, a folder where a file must be — refuses with exit 1 and one paragraph naming
// the path and what to do; never a stack trace, never exit 70.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { cleanEnv, Pair, VIGIL_BIN } from '../support/pair.ts';

const homes: string[] = [];
function scratch(): string {
  const dir = mkdtempSync('/tmp/vg-refuse-');
  homes.push(dir);
  return dir;
}
after(() => {
  for (const dir of homes) rmSync(dir, { recursive: true, force: true });
});

function run(home: string, prefix: string[] = []) {
  const [command, ...rest] = [...prefix, process.execPath, VIGIL_BIN, 'run'];
  const result = spawnSync(command as string, rest, {
    env: cleanEnv({ VIGIL_HOME: home }),
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function assertRefusal(result: ReturnType<typeof run>, path: string, why: RegExp): void {
  const all = `${result.stdout}${result.stderr}`;
  assert.equal(result.code, 1, all);
  assert.ok(result.stderr.includes(path), `names ${path}: ${result.stderr}`);
  assert.match(result.stderr, why);
  assert.match(result.stderr, /hint: /, 'says what to do');
  assert.doesNotMatch(all, /^\s+at |internal error|node:internal/m, 'no stack trace');
  assert.ok(!/\n\s*\n/.test(result.stderr.trim()), 'one paragraph');
}

/** A way to run as nobody, when this test runs as root. */
function asNobody(): string[] | null {
  if (process.getuid?.() !== 0) return null;
  for (const prefix of [
    ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'],
    ['runuser', '-u', 'nobody', '--'],
  ]) {
    const probe = spawnSync(prefix[0] as string, [...prefix.slice(1), 'true']);
    if (probe.status === 0) return prefix;
  }
  return null;
}

describe('vigil run refuses an unusable home clearly', () => {
  const nobody = asNobody();
  test('another user on a root-owned 0700 home: exit 1, the path and the user named', {
    skip: nobody ? false : 'needs root and setpriv or runuser to run as nobody',
  }, () => {
    const home = scratch();
    chmodSync(home, 0o700);
    const result = run(home, nobody ?? []);
    // StrictModes sees it first (a home of another owner); a bare EACCES is named the same way.
    assertRefusal(result, home, /owned by uid 0, not by uid 65534|permission denied \(EACCES\)/);
    assert.match(result.stderr, /uid 65534/, 'says which user was refused');
  });

  test('a home below a file: exit 1, not a directory', () => {
    const dir = scratch();
    writeFileSync(join(dir, 'plain-file'), '');
    assertRefusal(run(join(dir, 'plain-file', 'home')), join(dir, 'plain-file'), /ENOTDIR/);
  });

  test('a folder where the log file must be is moved aside, said in the log, and the watchdog runs', async () => {
    const pair = new Pair();
    try {
      mkdirSync(join(pair.home, 'log', 'watchdog.log'), { recursive: true });
      await pair.start();
      await pair.waitForHealthy();
      assert.ok(statSync(pair.paths.watchdogLog).isFile());
      const aside = readdirSync(join(pair.home, 'log')).filter((n) => n.startsWith('watchdog.log.planted-'));
      assert.equal(aside.length, 1, 'the folder is kept, under another name');
      assert.ok(statSync(join(pair.home, 'log', aside[0] as string)).isDirectory());
    } finally {
      await pair.dispose();
    }
  });
});

// `vigil start`, `vigil stop` and `vigil restart` with real processes: the watchdog daemonised
// (its own session, output in the home's log folder), found again from the home's lock, stopped
// gracefully with nothing left, and never a signal for a process the lock cannot prove is it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { StatusSnapshot } from '@vigil/shared';
import { waitFor } from '@vigil/shared/testing';
import { Pair } from '../support/pair.ts';
import { isAlive, pidsWithEnv } from '../support/processes.ts';

const pairs: Pair[] = [];
after(async () => {
  for (const pair of pairs) {
    // Whatever a failed test left behind carries this home in its environment.
    for (const pid of pidsWithEnv('VIGIL_HOME', pair.home)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    await pair.dispose();
  }
});

function newPair(options: ConstructorParameters<typeof Pair>[0] = {}): Pair {
  const pair = new Pair(options);
  pairs.push(pair);
  return pair;
}

function stat(pid: number): { ppid: number; session: number; startTicks: number } {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { ppid: Number(fields[1]), session: Number(fields[3]), startTicks: Number(fields[19]) };
}

/** The processes running `vigil.js run` for this home. */
function watchdogsOf(pair: Pair): number[] {
  return pidsWithEnv('VIGIL_HOME', pair.home).filter((pid) => {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      return argv.some((a, i) => a.endsWith('/vigil.js') && argv[i + 1] === 'run');
    } catch {
      return false;
    }
  });
}

function statusJson(pair: Pair): { code: number | null; status: StatusSnapshot } {
  const result = pair.cli(['status', '--json']);
  return { code: result.code, status: JSON.parse(result.stdout) as StatusSnapshot };
}

describe('vigil start / stop / restart', () => {
  test('start → healthy → stop → nothing left; stop again says it is not running', async () => {
    const pair = newPair();
    const started = pair.cli(['start', '--timeout', '60s']);
    assert.equal(started.code, 0, `${started.stdout}${started.stderr}`);
    const match = /started: watchdog pid (\d+), agent pid (\d+) healthy/.exec(started.stdout);
    assert.ok(match, started.stdout);
    const watchdog = Number(match[1]);
    const agent = Number(match[2]);
    assert.ok(started.stdout.includes(pair.home), 'names the home');

    // Daemonised: a session of its own, outliving the CLI, its output in the log folder.
    assert.ok(isAlive(watchdog));
    assert.equal(stat(watchdog).session, watchdog, 'the watchdog leads its own session');
    assert.equal(readlinkSync(`/proc/${watchdog}/fd/1`), join(pair.home, 'log/watchdog.out'));
    assert.equal(readlinkSync(`/proc/${watchdog}/fd/2`), join(pair.home, 'log/watchdog.out'));
    assert.match(readFileSync(`/proc/${watchdog}/cmdline`, 'utf8'), /vigil\.js\0run\0/);

    const { code, status } = statusJson(pair);
    assert.equal(code, 0);
    assert.equal(status.agent.state, 'healthy');
    assert.equal(status.watchdog.pid, watchdog);
    assert.equal(status.agent.pid, agent);
    assert.equal(status.watchdog.home, pair.home);

    const stopped = pair.cli(['stop']);
    assert.equal(stopped.code, 0, `${stopped.stdout}${stopped.stderr}`);
    assert.match(stopped.stdout, new RegExp(`stopped: watchdog pid ${watchdog} and its agent`));
    // stop returns once the watchdog has exited, and the watchdog stops the agent first.
    assert.deepEqual(pidsWithEnv('VIGIL_HOME', pair.home), [], 'no watchdog, agent or child left');
    assert.ok(!existsSync(pair.paths.lockFile), 'the lock is released');

    const again = pair.cli(['stop']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /not running: no watchdog for home/);
    assert.ok(again.stdout.includes(pair.home));
  });

  test('start twice: the second says it is running, and there is still one watchdog', async () => {
    const pair = newPair();
    const first = pair.cli(['start', '--timeout', '60s']);
    assert.equal(first.code, 0, `${first.stdout}${first.stderr}`);
    const watchdog = Number(/watchdog pid (\d+)/.exec(first.stdout)?.[1]);
    const second = pair.cli(['start']);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, new RegExp(`already running: watchdog pid ${watchdog} for home`));
    assert.deepEqual(watchdogsOf(pair), [watchdog]);
    assert.equal(pair.cli(['stop']).code, 0);
    assert.deepEqual(pidsWithEnv('VIGIL_HOME', pair.home), []);
  });

  test('restart keeps the home: the history carries over to a new watchdog and agent', async () => {
    const pair = newPair();
    const first = pair.cli(['start', '--timeout', '60s']);
    assert.equal(first.code, 0, `${first.stdout}${first.stderr}`);
    const before = statusJson(pair).status;
    const recovered = pair.cli(['recover', 'soft', '--wait']);
    assert.equal(recovered.code, 0, `${recovered.stdout}${recovered.stderr}`);
    const incident = /incident (\S+?)[;)]/.exec(recovered.stdout)?.[1];
    assert.ok(incident, recovered.stdout);

    const restarted = pair.cli(['restart', '--timeout', '60s']);
    assert.equal(restarted.code, 0, `${restarted.stdout}${restarted.stderr}`);
    assert.match(restarted.stdout, new RegExp(`stopped: watchdog pid ${before.watchdog.pid}`));
    assert.match(restarted.stdout, /started: watchdog pid \d+/);
    assert.ok(!isAlive(before.watchdog.pid), 'the old watchdog is gone');

    const { code, status } = statusJson(pair);
    assert.equal(code, 0);
    assert.notEqual(status.watchdog.pid, before.watchdog.pid);
    assert.notEqual(status.agent.pid, before.agent.pid, 'stopped and started, not adopted');
    assert.equal(status.watchdog.home, pair.home);
    const history = pair.cli(['history', '--json']);
    assert.equal(history.code, 0);
    assert.ok(
      (JSON.parse(history.stdout) as { id: string }[]).some((i) => i.id === incident),
      `incident ${incident} is still in the history`,
    );
    assert.deepEqual(watchdogsOf(pair), [status.watchdog.pid]);
    assert.equal(pair.cli(['stop']).code, 0);
  });

  test('a watchdog that cannot start: exit 1 with its own words, nothing left running', () => {
    const pair = newPair();
    writeFileSync(join(pair.home, 'vigil.json'), '{"watchdog": {"heartbeat": {"intervalMs": "fast"}}}');
    const result = pair.cli(['start']);
    assert.equal(result.code, 1, `${result.stdout}${result.stderr}`);
    assert.match(result.stderr, /vigil start: the watchdog did not start \(exit 1\)/);
    assert.match(result.stderr, /intervalMs/, "quotes the watchdog's reason");
    assert.ok(result.stderr.includes(join(pair.home, 'log/watchdog.out')), 'names the output file');
    assert.deepEqual(pidsWithEnv('VIGIL_HOME', pair.home), []);
    assert.ok(!existsSync(pair.paths.lockFile));
  });

  test('an agent that never becomes healthy: exit 2 at the deadline with its state; the watchdog keeps on', () => {
    const pair = newPair({ fixture: 'crashes-on-boot' });
    const result = pair.cli(['start', '--timeout', '3s']);
    assert.equal(result.code, 2, `${result.stdout}${result.stderr}`);
    const match = /the watchdog runs \(pid (\d+)\) but the agent is (\w+)/.exec(result.stderr);
    assert.ok(match, result.stderr);
    assert.notEqual(match[2], 'healthy');
    assert.ok(isAlive(Number(match[1])), 'left running: it keeps trying');
    assert.deepEqual(watchdogsOf(pair), [Number(match[1])]);
    const stopped = pair.cli(['stop']);
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.deepEqual(pidsWithEnv('VIGIL_HOME', pair.home), []);
  });

  test('a lock that names a live process other than a watchdog: refused, never signalled', async () => {
    const pair = newPair();
    // A stranger with the home in its environment, so the cleanup finds it if a test fails.
    const stranger = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
      env: { ...pair.env },
      stdio: 'ignore',
    });
    const pid = stranger.pid as number;
    await waitFor(() => isAlive(pid), 10_000, 'the stranger is up');
    mkdirSync(pair.paths.runDir, { recursive: true, mode: 0o700 });
    const plant = (startTicks: number) =>
      writeFileSync(pair.paths.lockFile, JSON.stringify({ pid, startTicks }), { mode: 0o600 });

    plant(stat(pid).startTicks);
    for (const command of ['stop', 'restart', 'start']) {
      const result = pair.cli([command]);
      assert.equal(result.code, 1, `${command}: ${result.stdout}${result.stderr}`);
      assert.match(result.stderr, new RegExp(`names pid ${pid}, which runs .*not \`vigil run\``), command);
    }
    assert.ok(isAlive(pid), 'the stranger was not signalled');

    // The same pid with another start time: a stale lock, the pid belongs to someone else now.
    plant(stat(pid).startTicks + 1);
    const stale = pair.cli(['stop']);
    assert.equal(stale.code, 0, stale.stderr);
    assert.match(stale.stdout, /not running: .*another process now/);
    assert.ok(isAlive(pid), 'the stranger was not signalled');
    stranger.kill('SIGKILL');
  });
});

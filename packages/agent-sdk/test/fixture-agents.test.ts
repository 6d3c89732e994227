// The misbehaving fixture agents in test/fixtures, each run against a fake watchdog: they start,
// say hello, and misbehave the way their name says (and only once, with FIXTURE_ONCE_FILE).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ChildProcesses, jsonLines, paced, waitFor } from '@vigil/shared/testing';
import { FakeWatchdog } from './support/fake-watchdog.ts';

const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/', import.meta.url));
const MIB = 1024 * 1024;

/** Fields of /proc/PID/stat after the command name: [0] is the state letter. */
function procStat(pid: number): string[] | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

const cpuTicks = (pid: number) => Number(procStat(pid)?.[11] ?? 0) + Number(procStat(pid)?.[12] ?? 0);

describe('fixture agents', () => {
  const children = new ChildProcesses();
  const watchdogs: FakeWatchdog[] = [];
  const strays: number[] = [];
  const dirs: string[] = [];

  function tempDir(): string {
    const dir = mkdtempSync('/tmp/vg-fx-');
    dirs.push(dir);
    return dir;
  }

  async function run(fixture: string, env: Record<string, string> = {}) {
    const watchdog = await FakeWatchdog.start('vg-fx-');
    watchdogs.push(watchdog);
    const spawned = children.spawn(join(FIXTURES, fixture), {
      VIGIL_AGENT_SOCKET: watchdog.path,
      VIGIL_HEARTBEAT_MS: '50',
      FIXTURE_AFTER_MS: '150',
      ...env,
    });
    const misbehaving = () =>
      waitFor(
        () => jsonLines(spawned.stdout()).find((l) => l.msg === 'fixture misbehaving'),
        10_000,
        `${fixture} misbehaving`,
      );
    return { watchdog, misbehaving, ...spawned };
  }

  afterEach(async () => {
    for (const pid of strays.splice(0)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {}
    }
    await children.killAll();
    await Promise.all(watchdogs.splice(0).map((w) => w.dispose()));
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  after(() => children.killAll());

  test('every fixture parses', () => {
    const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.mjs'));
    assert.ok(files.length >= 14);
    for (const file of files) {
      const check = spawnSync(process.execPath, ['--check', join(FIXTURES, file)], { encoding: 'utf8' });
      assert.equal(check.status, 0, `${file}: ${check.stderr}`);
    }
  });

  test('each starts with one "fixture started" line and says hello under its name', async () => {
    const names = readdirSync(FIXTURES)
      .filter((f) => f.endsWith('.mjs') && f !== 'run-fixture.mjs' && f !== 'crashes-on-boot.mjs')
      .map((f) => f.replace(/\.mjs$/, ''));
    await Promise.all(
      names.map(async (name) => {
        const { watchdog, stdout, child } = await run(`${name}.mjs`, {
          FIXTURE_AFTER_MS: '600000',
          FIXTURE_START_DELAY_MS: '10',
        });
        const [hello] = await watchdog.waitForHellos(1, 15_000);
        assert.equal(hello?.name, name);
        assert.equal(hello?.pid, child.pid);
        const started = jsonLines(stdout()).filter((l) => l.msg === 'fixture started');
        assert.deepEqual(
          started.map((l) => [l.fixture, l.pid]),
          [[name, child.pid]],
        );
        if (name === 'forks-grandchildren') strays.push(...readDescendants(child.pid ?? 0));
      }),
    );
  });

  test('crashes-on-boot exits 1 before connecting, and is healthy once the once-file exists', async () => {
    const first = await run('crashes-on-boot.mjs');
    const onceFile = join(first.watchdog.dir, 'once');
    assert.equal((await first.exited).code, 1);
    assert.equal(first.watchdog.hellos.length, 0);
    const crashing = await run('crashes-on-boot.mjs', { FIXTURE_ONCE_FILE: onceFile });
    assert.equal((await crashing.exited).code, 1);
    assert.ok(existsSync(onceFile));
    const healthy = await run('crashes-on-boot.mjs', { FIXTURE_ONCE_FILE: onceFile });
    await healthy.watchdog.waitForBeats(3, 10_000);
  });

  test('exits-after-ready exits with FIXTURE_EXIT_CODE after its hello, only once with a once-file', async () => {
    const dir = tempDir();
    const onceFile = join(dir, 'once');
    const first = await run('exits-after-ready.mjs', { FIXTURE_EXIT_CODE: '5', FIXTURE_ONCE_FILE: onceFile });
    await first.watchdog.waitForHellos(1, 10_000);
    assert.equal((await first.exited).code, 5);
    const second = await run('exits-after-ready.mjs', {
      FIXTURE_ONCE_FILE: onceFile,
      FIXTURE_AFTER_MS: '50',
    });
    await second.watchdog.waitForBeats(1, 10_000);
    const beats = second.watchdog.heartbeats.length;
    await second.watchdog.waitForBeats(beats + 10, 5000);
    assert.equal(second.child.exitCode, null, 'the restarted fixture stays up');
  });

  test('blocks-event-loop stops beating and its stall file names blockForever', async () => {
    const reportDir = join(tempDir(), 'reports');
    const { watchdog, misbehaving, child } = await run('blocks-event-loop.mjs', {
      VIGIL_REPORT_DIR: reportDir,
      VIGIL_STALL_MS: '300',
    });
    const began = Number((await misbehaving()).monoMs);
    const stallFile = join(reportDir, `stall-${child.pid}.json`);
    // A record of this block, not of a slow moment before it (a start on a loaded host).
    const report = await waitFor(
      () => {
        if (!existsSync(stallFile)) return undefined;
        const read = JSON.parse(readFileSync(stallFile, 'utf8')) as { stack: string[]; monoMs: number };
        return read.monoMs >= began ? read : undefined;
      },
      paced(10_000),
      'a stall file of the block',
    );
    assert.match(report.stack[0] ?? '', /^blockForever \(.*blocks-event-loop\.mjs:\d+:\d+\)$/);
    assert.equal(child.exitCode, null);
    const count = watchdog.heartbeats.length;
    await watchdog.command({ cmd: 'ping' }, 500).catch(() => {});
    assert.ok(watchdog.heartbeats.length <= count + 1, 'no heartbeats from a blocked loop');
  });

  test('stops-heartbeat goes silent but keeps answering', async () => {
    const { watchdog, misbehaving } = await run('stops-heartbeat.mjs');
    await misbehaving();
    const pong = await watchdog.command({ cmd: 'ping' });
    const count = watchdog.heartbeats.length;
    const silentUntil = Date.now() + 400;
    await waitFor(() => Date.now() >= silentUntil || undefined, 2000, 'eight intervals');
    await watchdog.command({ cmd: 'ping' });
    assert.deepEqual(pong.did, ['pong']);
    assert.ok(watchdog.heartbeats.length <= count + 1);
  });

  test('gets-sigstopped ends up stopped', async () => {
    const { misbehaving, child } = await run('gets-sigstopped.mjs');
    await misbehaving();
    await waitFor(() => procStat(child.pid ?? 0)?.[0] === 'T', 5000, 'state T');
  });

  test('leaks-memory grows its RSS', async () => {
    const { watchdog, misbehaving } = await run('leaks-memory.mjs', { FIXTURE_MB_PER_SEC: '60' });
    const before = await watchdog.nextBeat(() => true, 10_000);
    await misbehaving();
    await watchdog.nextBeat((b) => b.rssBytes - before.rssBytes > 40 * MIB, 5000);
  });

  test('spins-cpu burns a core while heartbeats keep flowing', async () => {
    const { watchdog, misbehaving, child } = await run('spins-cpu.mjs');
    await misbehaving();
    const pid = child.pid ?? 0;
    const ticks = cpuTicks(pid);
    const from = watchdog.heartbeats.length;
    await waitFor(() => cpuTicks(pid) - ticks >= 40 || undefined, 5000, '0.4 s of CPU burnt');
    await watchdog.waitForBeats(from + 10, 5000);
  });

  test('ignores-sigterm survives SIGTERM', async () => {
    const { watchdog, misbehaving, child, stdout } = await run('ignores-sigterm.mjs');
    await watchdog.waitForBeats(1, 10_000);
    child.kill('SIGTERM');
    await waitFor(() => jsonLines(stdout()).some((l) => l.msg === 'ignoring SIGTERM'), 5000, 'ignored');
    await misbehaving();
    assert.equal(child.exitCode, null);
  });

  test('forks-grandchildren leaves a tree with a detached grandchild, listed in the pids file', async () => {
    const pidsFile = join(tempDir(), 'pids.json');
    const { misbehaving, child } = await run('forks-grandchildren.mjs', { FIXTURE_PIDS_FILE: pidsFile });
    await waitFor(() => existsSync(pidsFile), 10_000, 'pids file');
    const pids = JSON.parse(readFileSync(pidsFile, 'utf8')) as {
      fixture: number;
      children: number[];
      grandchildren: number[];
      detached: number;
    };
    strays.push(...pids.children, ...pids.grandchildren);
    assert.equal(pids.fixture, child.pid);
    assert.equal(pids.children.length, 2);
    assert.equal(pids.grandchildren.length, 2);
    for (const pid of [...pids.children, ...pids.grandchildren]) assert.ok(procStat(pid), `${pid} is alive`);
    const session = (pid: number) => procStat(pid)?.[3];
    assert.notEqual(session(pids.detached), session(pids.fixture), 'detached grandchild has its own session');
    await misbehaving();
  });

  test('sends-garbage keeps beating while its side connections send junk', async () => {
    const { watchdog, misbehaving } = await run('sends-garbage.mjs', { FIXTURE_GARBAGE_MS: '600' });
    await misbehaving();
    await waitFor(() => watchdog.sockets.length >= 6 || undefined, 5000, 'garbage connections');
    await waitFor(() => watchdog.invalid.length >= 1 || undefined, 5000, 'an invalid message');
    const beats = watchdog.heartbeats.filter((b) => b.rssBytes > MIB).length;
    await waitFor(
      () => watchdog.heartbeats.filter((b) => b.rssBytes > MIB).length >= beats + 5 || undefined,
      5000,
      'real heartbeats',
    );
  });

  test('floods-socket writes heartbeat lines as fast as it can, and still beats for real', async () => {
    const { watchdog, misbehaving } = await run('floods-socket.mjs', { FIXTURE_FLOOD_MS: '300' });
    await misbehaving();
    const fake = () => watchdog.heartbeats.filter((b) => b.rssBytes === 1).length;
    await waitFor(() => fake() >= 1000 || undefined, 5000, 'a flood');
    const real = () => watchdog.heartbeats.filter((b) => b.rssBytes > 1).length;
    const before = real();
    await waitFor(() => real() >= before + 3 || undefined, 5000, 'real heartbeats');
  });

  test('heals-on-soft: failing, then ok after a soft recover', async () => {
    const { watchdog } = await run('heals-on-soft.mjs');
    await watchdog.nextBeat((b) => b.health.status === 'failing', 10_000);
    const soft = await watchdog.command({ cmd: 'recover', level: 'soft' });
    assert.deepEqual(soft.did, ['cache cleared']);
    await watchdog.nextBeat((b) => b.health.status === 'ok');
  });

  test('heals-on-medium: soft does not help, medium degrades, restore brings it back', async () => {
    const { watchdog } = await run('heals-on-medium.mjs');
    await watchdog.nextBeat((b) => b.health.status === 'failing', 10_000);
    const soft = await watchdog.command({ cmd: 'recover', level: 'soft' });
    assert.deepEqual(soft.did, ['nothing to clear']);
    await watchdog.nextBeat((b) => b.health.status === 'failing');
    const medium = await watchdog.command({ cmd: 'recover', level: 'medium' });
    // A service's own medium handler degrades it as the bundled agent's does.
    assert.deepEqual(medium.did, ['paused non-essential work', 'state: degraded']);
    await watchdog.nextBeat((b) => b.state === 'degraded' && b.health.status === 'degraded');
    const restore = await watchdog.command({ cmd: 'restore' });
    assert.deepEqual(restore.did, ['resumed non-essential work', 'state: ready']);
    await watchdog.nextBeat((b) => b.state === 'ready' && b.health.status === 'ok');
  });

  test('slow-to-start says hello only after its delay', async () => {
    const started = Date.now();
    const { watchdog } = await run('slow-to-start.mjs', { FIXTURE_START_DELAY_MS: '800' });
    await watchdog.waitForHellos(1, 10_000);
    assert.ok(Date.now() - started >= 800);
  });
});

/** Children and grandchildren of a pid, from /proc (for cleanup of forks-grandchildren). */
function readDescendants(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const ppid = Number(procStat(pid)?.[1]);
    if (ppid) parents.set(pid, ppid);
  }
  const found: number[] = [];
  const walk = (pid: number) => {
    for (const [child, parent] of parents) {
      if (parent === pid) {
        found.push(child);
        walk(child);
      }
    }
  };
  walk(root);
  return found;
}

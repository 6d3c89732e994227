// The sampler's tree against real process trees: descendants found through the children files,
// each followed through a held stat descriptor; one that leaves is dropped with every descriptor
// it held, a reused pid never joins unless it is a child of the tree, and watching and stopping
// again and again leaves no descriptor behind.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { FakeClock, waitFor } from '@vigil/shared/testing';
import { type ResourceSample, ResourceSampler } from '../../src/detect/resource-sampler.ts';
import { SampledTree } from '../../src/detect/sampled-tree.ts';
import { heldProcFiles } from '../../src/process/proc-file.ts';
import { readProcStat } from '../../src/process/proc-stat.ts';
import { canChoosePid, tailAt, withReusedPid } from '../process/pid-reuse.ts';

const IDLE = 'setInterval(() => {}, 1000)';
const WITH_GRANDCHILD = `require('node:child_process').spawn('sleep', ['1000'], { stdio: 'ignore' }); ${IDLE}`;
// The root: spawns what it is sent, and kills the pid it is told to (it reaps its children itself).
const ROOT = `
  const { spawn } = require('node:child_process');
  process.on('message', (m) => {
    if (m.spawn) { const c = spawn(process.execPath, ['-e', m.spawn], { stdio: 'ignore' }); process.send({ pid: c.pid }); }
    if (m.kill) { process.kill(m.kill, 'SIGKILL'); process.send({ killed: m.kill }); }
  });
  ${IDLE}`;

const started: ChildProcess[] = [];
const extra: number[] = [];
after(() => {
  for (const child of started) child.kill('SIGKILL');
  for (const pid of extra) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
});

interface Root {
  child: ChildProcess;
  pid: number;
  /** Has the root spawn `script`; resolves with the new child's pid. */
  spawn(script: string): Promise<number>;
  kill(pid: number): Promise<void>;
}

async function root(): Promise<Root> {
  const child = spawn(process.execPath, ['-e', ROOT], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  started.push(child);
  await once(child, 'spawn');
  const ask = async <T>(message: object, key: string): Promise<T> => {
    const reply = new Promise<T>((resolve) => {
      const on = (m: Record<string, T>) => {
        if (!(key in m)) return;
        child.off('message', on);
        resolve(m[key] as T);
      };
      child.on('message', on);
    });
    child.send(message);
    return reply;
  };
  return {
    child,
    pid: child.pid as number,
    spawn: async (script) => {
      const pid = await ask<number>({ spawn: script }, 'pid');
      extra.push(pid);
      return pid;
    },
    kill: async (pid) => {
      await ask({ kill: pid }, 'killed');
      await waitFor(() => readProcStat(pid) === null, 10_000, `pid ${pid} to be reaped`);
    },
  };
}

function fdCount(): number {
  return readdirSync('/proc/self/fd').length;
}

/** Refreshes until the tree follows `n` processes (a new child shows in its parent's file at once,
 * but a grandchild needs the child to have run far enough to spawn it). */
async function following(tree: SampledTree, n: number): Promise<void> {
  await waitFor(
    () => {
      tree.refresh();
      return tree.size === n;
    },
    15_000,
    () => `the tree to follow ${n} processes (it follows ${tree.size})`,
  );
}

describe('SampledTree', () => {
  test('children and grandchildren; one that exits is dropped with its descriptors; then the root', async () => {
    const r = await root();
    const base = heldProcFiles();
    const tree = new SampledTree(r.pid);
    const a = await r.spawn(WITH_GRANDCHILD);
    await r.spawn(IDLE);
    await following(tree, 4);
    const usages = tree.read();
    assert.ok(usages);
    assert.equal(usages.length, 4);
    assert.equal(usages[0]?.pid, r.pid, 'the root first');
    assert.ok(usages.some((u) => u.pid === a));
    // The grandchild is orphaned below: the cleanup kills it.
    for (const u of usages) if (u.pid !== r.pid) extra.push(u.pid);
    const heldWithA = heldProcFiles();

    // a exits: its grandchild goes to init (out of the tree); both are dropped.
    await r.kill(a);
    const afterExit = tree.read();
    assert.ok(afterExit && !afterExit.some((u) => u.pid === a), 'a gone process is not read');
    tree.refresh();
    assert.equal(tree.size, 2, 'its orphan left the tree');
    assert.ok(heldProcFiles() < heldWithA, 'their descriptors were given back');

    r.child.kill('SIGKILL');
    await once(r.child, 'exit');
    assert.equal(tree.read(), null, 'the root is gone');
    assert.equal(tree.size, 0);
    assert.equal(heldProcFiles(), base, 'every descriptor given back');
    tree.close();
  });

  test('a process that takes a gone descendant’s pid never joins unless it is a child of the tree', {
    skip: !canChoosePid() && 'cannot set ns_last_pid here (needs root in the pid namespace)',
  }, async () => {
    await withReusedPid(5, async () => {
      const r = await root();
      const tree = new SampledTree(r.pid);
      const c = await r.spawn(IDLE);
      await following(tree, 2);
      await r.kill(c);
      const impostor = await tailAt(c, started);
      if (!impostor) {
        tree.close();
        return false;
      }
      await waitFor(() => readProcStat(c)?.comm === 'tail', 5000, 'tail to run at the old pid');
      assert.deepEqual(
        tree.read()?.map((u) => u.pid),
        [r.pid],
        'the old descriptor reads nothing; the new process is not read',
      );
      tree.refresh();
      assert.equal(tree.size, 1, 'the walk does not find it: it is not a child of the tree');
      assert.deepEqual(
        tree.read()?.map((u) => u.pid),
        [r.pid],
      );
      impostor.kill('SIGKILL');
      tree.close();
      return true;
    });
  });

  test('a root whose pid is taken by another process reads nothing', {
    skip: !canChoosePid() && 'cannot set ns_last_pid here (needs root in the pid namespace)',
  }, async () => {
    await withReusedPid(5, async () => {
      const first = spawn('sleep', ['1000'], { stdio: 'ignore' });
      started.push(first);
      await once(first, 'spawn');
      const pid = first.pid as number;
      const tree = new SampledTree(pid);
      assert.equal(tree.read()?.length, 1);
      const exited = once(first, 'exit');
      first.kill('SIGKILL');
      await exited;
      await waitFor(() => readProcStat(pid) === null, 10_000, 'the pid to be free');
      const next = await tailAt(pid, started);
      if (!next) {
        tree.close();
        return false;
      }
      await waitFor(() => readProcStat(pid)?.comm === 'tail', 5000, 'tail to run at the old pid');
      assert.equal(tree.read(), null);
      tree.refresh();
      assert.equal(tree.read(), null, 'a refresh does not take the new process for the root');
      next.kill('SIGKILL');
      tree.close();
      return true;
    });
  });
});

describe('ResourceSampler', () => {
  test('samples the tree through the clock; watching again and stopping leave no descriptor behind', async () => {
    const r = await root();
    await r.spawn(WITH_GRANDCHILD);
    await r.spawn(IDLE);
    const probe = new SampledTree(r.pid);
    await following(probe, 4);
    for (const u of probe.read() ?? []) if (u.pid !== r.pid) extra.push(u.pid);
    probe.close();
    const fdsBefore = fdCount();
    const heldBefore = heldProcFiles();
    const clock = new FakeClock();
    const samples: ResourceSample[] = [];
    const errors: Error[] = [];
    const sampler = new ResourceSampler({
      clock,
      intervalMs: 250,
      onSample: (s) => samples.push(s),
      onError: (e) => errors.push(e),
    });
    for (let round = 0; round < 100; round++) {
      sampler.watch(r.pid);
      clock.advance(250);
      // Watching again without a stop, and watching a pid that is no process.
      if (round % 3 === 0) sampler.watch(r.pid);
      if (round % 7 === 0) sampler.watch(999_999_999);
      clock.advance(250);
      if (round % 2 === 0) sampler.stop();
    }
    sampler.watch(r.pid);
    clock.advance(250);
    assert.equal(clock.pending, 1, 'one timer, however often it was watched again');
    const before = samples.length;
    clock.advance(1000);
    assert.equal(samples.length - before, 4, 'a sample every interval');
    assert.equal(sampler.following, 4);
    assert.ok(heldProcFiles() > heldBefore, 'it holds descriptors while it samples');
    sampler.stop();
    assert.deepEqual(errors, []);
    assert.equal(sampler.following, 0);
    assert.equal(heldProcFiles(), heldBefore, 'every descriptor given back');
    assert.ok(fdCount() <= fdsBefore + 2, `descriptors stay bounded: ${fdsBefore} → ${fdCount()}`);
    const last = samples.at(-1) as ResourceSample;
    assert.equal(last.pids, 4);
    assert.ok(last.rssBytes > 4 * 1024 * 1024, String(last.rssBytes));
    assert.equal(clock.pending, 0, 'stopped: no timer left');
  });

  test('a first tick whose onTick throws leaves the sampling running', () => {
    const clock = new FakeClock();
    const samples: ResourceSample[] = [];
    let ticks = 0;
    const sampler = new ResourceSampler({
      clock,
      intervalMs: 250,
      onSample: (s) => samples.push(s),
      onTick: () => {
        if (ticks++ === 0) throw new Error('the first look failed');
      },
    });
    assert.throws(() => sampler.watch(process.pid), /the first look failed/);
    clock.advance(1000);
    assert.equal(ticks, 5, 'the first tick and one every interval after it');
    assert.ok(samples.length >= 4, `samples went on: ${samples.length}`);
    sampler.stop();
    assert.equal(clock.pending, 0);
  });
});

import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { closeSync, openSync, readdirSync, readlinkSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { waitFor } from '@vigil/shared/testing';
import { DescendantTracker } from '../../src/process/descendant-tracker.ts';
import { findByInstance, INSTANCE_ENV, scanProc, walkTree } from '../../src/process/descendants.ts';
import { hasEnvironEntry, readProcStat } from '../../src/process/proc-stat.ts';

// Every tree these tests start carries this marker, so the cleanup finds its orphans too.
const MARK = ['VG_DESCENDANTS_TEST', `${process.pid}-${Date.now()}`] as const;
const children: ChildProcess[] = [];
after(() => {
  for (const child of children) child.kill('SIGKILL');
  for (const pid of readdirSync('/proc').map(Number)) {
    if (pid > 1 && pid !== process.pid && hasEnvironEntry(pid, MARK.join('='))) process.kill(pid, 'SIGKILL');
  }
});

async function node(script: string, options: Parameters<typeof spawn>[2] = {}) {
  const child = spawn(process.execPath, ['-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, [MARK[0]]: MARK[1] },
    ...options,
  });
  children.push(child);
  await once(child, 'spawn');
  const pid = child.pid as number;
  return { child, root: { pid, startTicks: readProcStat(pid)?.startTicks as number, name: 'root' } };
}

/** The next line the child prints, as JSON. */
async function line<T>(child: ChildProcess): Promise<T> {
  const [data] = await once(child.stdout as NodeJS.ReadableStream, 'data');
  return JSON.parse(String(data)) as T;
}

/** A root that starts one `sleep` child for each `spawnSleep(child)`, and says which. */
function sleepOnDemand() {
  return node(
    `
    const { spawn } = require('node:child_process');
    process.stdin.on('data', () => {
      const s = spawn('sleep', ['1000'], { stdio: 'ignore' });
      console.log(JSON.stringify({ sleep: s.pid }));
    });
    setInterval(() => {}, 1000);
  `,
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
}

/** Has a `sleepOnDemand` root start its next sleep; resolves to that sleep's pid. */
async function spawnSleep(child: ChildProcess): Promise<number> {
  child.stdin?.write('x');
  return (await line<{ sleep: number }>(child)).sleep;
}

describe('walkTree', () => {
  test('children, grandchildren and a setsid child, from the children files', async () => {
    const { child, root } = await node(`
      const { spawn } = require('node:child_process');
      const a = spawn(process.execPath, ['-e', "require('node:child_process').spawn('sleep', ['1000'], { stdio: 'ignore' }); setInterval(() => {}, 1000)"], { stdio: 'ignore' });
      const b = spawn('sleep', ['1000'], { detached: true, stdio: 'ignore' });
      console.log(JSON.stringify({ a: a.pid, b: b.pid }));
      setInterval(() => {}, 1000);
    `);
    const { a, b } = await line<{ a: number; b: number }>(child);
    await waitFor(() => walkTree([root]).length >= 3, 5000, 'the grandchild');
    const pids = walkTree([root]).map((p) => p.pid);
    assert.ok(pids.includes(a) && pids.includes(b), JSON.stringify(pids));
    const grandchild = pids.find((p) => p !== a && p !== b) as number;
    assert.equal(readProcStat(grandchild)?.ppid, a);
    assert.ok(!pids.includes(root.pid), 'the root itself is not listed');
  });

  test('a root that is not the process it was has no descendants of ours', async () => {
    const { root } = await node(
      `require('node:child_process').spawn('sleep', ['1000'], { stdio: 'ignore' }); setInterval(() => {}, 1000)`,
    );
    await waitFor(() => walkTree([root]).length === 1, 5000, 'the child');
    assert.deepEqual(walkTree([{ ...root, startTicks: root.startTicks - 1 }]), []);
  });
});

describe('scanProc and findByInstance', () => {
  test('the token must be an exact environment entry', async () => {
    const token = randomUUID();
    const spawnWith = async (env: Record<string, string>) => {
      const child = spawn('sleep', ['1000'], {
        stdio: 'ignore',
        env: { PATH: process.env.PATH ?? '', ...env },
      });
      children.push(child);
      await once(child, 'spawn');
      return child.pid as number;
    };
    const exact = await spawnWith({ [INSTANCE_ENV]: token });
    await spawnWith({ [`NOT_${INSTANCE_ENV}`]: token });
    await spawnWith({ [INSTANCE_ENV]: `${token}-longer` });
    await spawnWith({ OTHER: `${INSTANCE_ENV}=${token}` });
    assert.deepEqual(
      (await findByInstance(token)).map((p) => p.pid),
      [exact],
    );
  });

  test('members of a process group, and only those started with or after it', async () => {
    const { child, root } = await node(
      `const c = require('node:child_process').spawn('sleep', ['1000'], { stdio: 'ignore' }); console.log(JSON.stringify({ c: c.pid })); setInterval(() => {}, 1000)`,
      { detached: true },
    );
    const { c } = await line<{ c: number }>(child);
    const members = (await scanProc({ pgid: root.pid })).map((p) => p.pid).sort();
    assert.deepEqual(members, [root.pid, c].sort());
    assert.deepEqual(await scanProc({ pgid: root.pid, notBefore: Number.MAX_SAFE_INTEGER }), []);
  });
});

describe('DescendantTracker', () => {
  test('keeps what it saw while it lives, even after it left the tree, and forgets the dead', async () => {
    // The middle process exits after starting the sleep: the sleep is orphaned, out of the tree.
    const { child, root } = await node(
      `
      const { spawn } = require('node:child_process');
      process.stdin.resume();
      process.stdin.once('data', () => {
        const mid = spawn(process.execPath, ['-e', "const s = require('node:child_process').spawn('sleep', ['1000'], { detached: true, stdio: 'ignore' }); s.unref(); console.log(s.pid); process.stdin.once('data', () => process.exit(0))"], { stdio: ['pipe', 'pipe', 'inherit'] });
        mid.stdout.once('data', (d) => { console.log(JSON.stringify({ mid: mid.pid, sleep: Number(d) })); process.stdin.once('data', () => mid.stdin.write('x')); });
      });
      setInterval(() => {}, 1000);
    `,
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    const changes: number[][] = [];
    const tracker = new DescendantTracker(root, { onChange: (pids) => changes.push(pids) });
    tracker.refresh();
    assert.deepEqual(tracker.members(), []);
    child.stdin?.write('go');
    const { mid, sleep } = await line<{ mid: number; sleep: number }>(child);
    tracker.refresh();
    assert.deepEqual(
      tracker
        .members()
        .map((p) => p.pid)
        .sort(),
      [mid, sleep].sort(),
    );
    child.stdin?.write('x');
    await waitFor(
      () => readProcStat(mid) === null || readProcStat(mid)?.state === 'Z',
      5000,
      'the middle process exits',
    );
    await waitFor(() => readProcStat(sleep)?.ppid !== mid, 5000, 'the sleep is orphaned');
    tracker.refresh();
    assert.deepEqual(
      tracker.members().map((p) => p.pid),
      [sleep],
      'the orphan is still tracked; the dead middle process is not',
    );
    assert.ok(!walkTree([root]).some((p) => p.pid === sleep), 'it is no longer in the tree');
    assert.ok(changes.length >= 2, 'each change was told');
    tracker.stop();
  });

  /** The descriptors this process holds open on files under /proc/PID. */
  function heldFor(pid: number): number {
    let n = 0;
    for (const fd of readdirSync('/proc/self/fd')) {
      try {
        if (readlinkSync(`/proc/self/fd/${fd}`).startsWith(`/proc/${pid}/`)) n++;
      } catch {}
    }
    return n;
  }

  test('walks over files it holds: an unchanged tree opens nothing, and stop gives every file back', async () => {
    const { child, root } = await node(`
      const { spawn } = require('node:child_process');
      const s = spawn('sleep', ['1000'], { stdio: 'ignore' });
      console.log(JSON.stringify({ sleep: s.pid }));
      setInterval(() => {}, 1000);
    `);
    const { sleep } = await line<{ sleep: number }>(child);
    const tracker = new DescendantTracker(root);
    tracker.refresh();
    assert.deepEqual(
      tracker.members().map((p) => p.pid),
      [sleep],
    );
    const held = heldFor(root.pid);
    assert.ok(held >= 2, `its stat and its threads' children files are held (${held})`);
    tracker.refresh();
    assert.equal(heldFor(root.pid), held, 'the same files, read again');
    tracker.stop();
    assert.equal(heldFor(root.pid), 0, 'all given back');
    assert.equal(heldFor(sleep), 0);
    assert.deepEqual(
      tracker.members().map((p) => p.pid),
      [sleep],
      'what it saw stays after stop, for the sweep',
    );
    child.kill('SIGKILL');
  });

  test('a refresh due soon is taken on a wakeup of the watchdog; one far off waits for its own time', async () => {
    const { child, root } = await sleepOnDemand();
    const changes: number[][] = [];
    // The first refresh is an hour away.
    const tracker = new DescendantTracker(root, {
      minMs: 3_600_000,
      onChange: (p) => changes.push(p),
    }).start();
    const sleep = await spawnSleep(child);
    tracker.rideIfDueWithin(1000);
    assert.deepEqual(changes, [], 'an hour off is not due within a second');
    tracker.rideIfDueWithin(3_600_000);
    assert.deepEqual(changes, [[sleep]], 'due within the window: taken now');
    tracker.stop();
    tracker.rideIfDueWithin(Number.POSITIVE_INFINITY);
    assert.equal(changes.length, 1, 'nothing after stop');
    child.kill('SIGKILL');
  });

  test('when the wakeups offering rides stop, the own timer takes the refreshes back', async () => {
    const { child, root } = await sleepOnDemand();
    const changes: number[][] = [];
    const tracker = new DescendantTracker(root, {
      minMs: 20,
      maxMs: 40,
      onChange: (p) => changes.push(p),
    }).start();
    // Rides offered long enough for the tree to count as unchanged: the own timer is a backstop.
    const until = performance.now() + 600;
    while (performance.now() < until) {
      tracker.rideIfDueWithin(5);
      await new Promise((r) => setTimeout(r, 5));
    }
    // No more rides (the watchdog stopped looking), and the backstop has fired since (80 ms): a
    // newcomer after that is still found, by the own timer going back to its pace.
    await new Promise((r) => setTimeout(r, 500));
    const sleep = await spawnSleep(child);
    await waitFor(() => changes.some((c) => c.includes(sleep)), 10_000, 'the newcomer seen without rides');
    tracker.stop();
    child.kill('SIGKILL');
  });

  test('a read of the held root that fails while the agent lives does not end the tracking', async () => {
    const { child, root } = await sleepOnDemand();
    const changes: number[][] = [];
    const tracker = new DescendantTracker(root, { onChange: (p) => changes.push(p) });
    tracker.refresh();
    // The held stat file of the root is swapped for /dev/null under the tracker (same number, so
    // nothing else of this process can be closed by it): its next read fails, as a pread of a
    // live process's stat may (ENOMEM).
    const statFd = readdirSync('/proc/self/fd')
      .map(Number)
      .find((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`) === `/proc/${root.pid}/stat`;
        } catch {
          return false;
        }
      });
    assert.ok(statFd !== undefined, 'the root stat file is held');
    closeSync(statFd);
    assert.equal(openSync('/dev/null', 'r'), statFd, 'the lowest free number is the one just closed');
    tracker.refresh();
    // The agent still runs: a newcomer after the failed read is still found.
    const sleep = await spawnSleep(child);
    tracker.refresh();
    tracker.refresh();
    assert.ok(
      changes.some((c) => c.includes(sleep)),
      `the newcomer is found after the failed read: ${JSON.stringify(changes)}`,
    );
    assert.ok(heldFor(root.pid) > 0, 'its files are held again');
    tracker.stop();
    assert.equal(heldFor(root.pid), 0, 'and given back at stop');
    child.kill('SIGKILL');
  });

  test('rides make the own timer a backstop only while they come more often than the longest pace', async () => {
    const { child, root } = await node('setInterval(() => {}, 1000)');
    const maxMs = 2000;
    // Not started: the only timer is the one a ride arms.
    const tracker = new DescendantTracker(root, { minMs: 1000, maxMs });
    // An unchanged tree: the pace is at its longest.
    tracker.refresh();
    tracker.refresh();
    try {
      // Rides back to back (looks far more often than the pace): the timer backs off to a backstop.
      tracker.rideIfDueWithin(0);
      tracker.rideIfDueWithin(0);
      tracker.rideIfDueWithin(maxMs);
      assert.ok((tracker.nextTimerInMs ?? 0) > maxMs, `a backstop: ${tracker.nextTimerInMs}`);
      // Rides farther apart than the pace (a long heartbeat timeout): the timer keeps the pace.
      const fresh = new DescendantTracker(root, { minMs: 1000, maxMs });
      fresh.refresh();
      fresh.refresh();
      fresh.rideIfDueWithin(0);
      await new Promise((r) => setTimeout(r, maxMs + 100));
      fresh.rideIfDueWithin(maxMs);
      assert.ok(
        (fresh.nextTimerInMs ?? Number.POSITIVE_INFINITY) <= maxMs,
        `the pace: ${fresh.nextTimerInMs}`,
      );
      fresh.stop();
    } finally {
      tracker.stop();
      child.kill('SIGKILL');
    }
  });

  test('a child that exited but is not reaped (a zombie still in the tree) is forgotten', async () => {
    // The shell starts a short sleep and execs a long one, which never waits for it: the short
    // one stays a zombie, listed in its parent's children file for good.
    const parent = spawn('sh', ['-c', 'sleep 3 & exec sleep 1000'], { stdio: 'ignore' });
    const pid = parent.pid as number;
    try {
      await waitFor(() => readProcStat(pid)?.comm === 'sleep', 5000, 'the exec');
      const root = { pid, startTicks: readProcStat(pid)?.startTicks as number };
      const changes: number[][] = [];
      const tracker = new DescendantTracker(root, { onChange: (p) => changes.push(p) });
      await waitFor(
        () => {
          tracker.refresh();
          return (changes.at(-1) ?? []).length === 1;
        },
        5000,
        'the short sleep tracked',
      );
      const short = (changes.at(-1) as number[])[0] as number;
      await waitFor(() => readProcStat(short)?.state === 'Z', 10_000, 'the short sleep exits, unreaped');
      tracker.refresh();
      assert.deepEqual(changes.at(-1), [], 'the zombie is no longer one of the tracked');
      tracker.stop();
    } finally {
      parent.kill('SIGKILL');
    }
  });

  test('a root pid that is no longer the agent (reused) is not followed', async () => {
    const { child, root } = await node('setInterval(() => {}, 1000)');
    const tracker = new DescendantTracker({ pid: root.pid, startTicks: root.startTicks - 1 });
    tracker.refresh();
    assert.equal(heldFor(root.pid), 0, 'nothing of it held');
    assert.deepEqual(tracker.members(), []);
    tracker.stop();
    child.kill('SIGKILL');
  });
});

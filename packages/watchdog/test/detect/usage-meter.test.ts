// The meter against real processes: a spinner that has a CPU to itself, and one that shares a
// single CPU with two others (taskset), which gets a third of it but still wants all of it.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { after, describe, test } from 'node:test';
import { readUsage } from '../../src/detect/proc-usage.ts';
import { UsageMeter } from '../../src/detect/resource-sampler.ts';
import { SampledTree } from '../../src/detect/sampled-tree.ts';

const children: ChildProcess[] = [];
after(() => {
  for (const child of children) child.kill('SIGKILL');
});

function spinner(cpu?: number): ChildProcess {
  const args = ['-e', 'for (;;) {}'];
  const child =
    cpu === undefined
      ? spawn(process.execPath, args)
      : spawn('taskset', ['-c', String(cpu), process.execPath, ...args]);
  children.push(child);
  return child;
}

/**
 * Readings `ms` apart until one knows what the process wanted: by path (as for a status
 * request), or as the sampler takes them, through a held stat file.
 */
async function measured(pid: number, ms: number, held = false) {
  const meter = new UsageMeter();
  const tree = held ? new SampledTree(pid) : null;
  const read = () =>
    tree ? meter.rates(tree.read() ?? [], performance.now()) : meter.read([pid], performance.now());
  read();
  const deadline = performance.now() + 20 * ms;
  try {
    for (;;) {
      await new Promise((r) => setTimeout(r, ms));
      const sample = read();
      assert.ok(sample);
      // A process seen busy for the first time has no earlier thread reading: the next one does.
      if (!sample.demandPending || performance.now() > deadline) return sample;
    }
  } finally {
    tree?.close();
  }
}

describe('CPU use and demand from /proc', () => {
  test('an idle process: little CPU, no demand read, its RSS counted', async () => {
    const sample = await measured(process.pid, 300);
    assert.equal(sample.demandPending, undefined);
    assert.ok(sample.rssBytes > 10 * 1024 * 1024, String(sample.rssBytes));
    assert.equal(sample.pids, 1);
  });

  for (const held of [false, true]) {
    test(`a spinner starved to a share of one CPU still wants all of it (${held ? 'held files' : 'by path'})`, {
      skip: spawnSync('taskset', ['-c', '0', 'true']).status !== 0 && 'taskset cannot pin here',
    }, async () => {
      const starved = spinner(0);
      spinner(0);
      spinner(0);
      await new Promise((r) => setTimeout(r, 300));
      const sample = await measured(starved.pid as number, 1000, held);
      assert.ok(sample.cpuPercent < 70, `it got only part of the CPU: ${sample.cpuPercent.toFixed(0)}%`);
      assert.ok(
        sample.demandPercent !== null && sample.demandPercent > 85,
        `it wanted all of it: ${sample.demandPercent}`,
      );
      assert.ok((sample.waitedPercent ?? 0) > 20, `and waited for it: ${sample.waitedPercent}`);
      for (const child of children.splice(0)) child.kill('SIGKILL');
    });
  }

  test('who is followed: busy from two ticks and a few percent, then while it shows any CPU and one quiet sample more', async () => {
    // The readings are made up (a pid's CPU ticks, 250 ms apart); the thread times are the real
    // ones of an idle process, so a non-null demand says they were read and compared.
    const idle = spawn('sleep', ['1000'], { stdio: 'ignore' });
    children.push(idle);
    await new Promise((r) => idle.once('spawn', r));
    const pid = idle.pid as number;
    const startTicks = readUsage(pid)?.startTicks as number;
    const meter = new UsageMeter();
    let ticks = 0;
    let at = 0;
    const next = (moreTicks: number) => {
      ticks += moreTicks;
      at += 250;
      return meter.rates([{ pid, startTicks, cpuTicks: ticks, rssBytes: 1 }], at);
    };
    next(0);
    assert.equal(next(1)?.demandPercent, null, 'one tick: not busy, nothing read');
    assert.equal(next(2)?.demandPending, true, 'two ticks (8 %): busy, its threads read');
    assert.notEqual(next(0)?.demandPercent, null, 'a quiet sample: still followed');
    assert.notEqual(next(1)?.demandPercent, null, 'a tick: still followed');
    assert.notEqual(next(0)?.demandPercent, null);
    assert.notEqual(next(0)?.demandPercent, null, 'the second quiet sample in a row is still read');
    assert.equal(next(0)?.demandPercent, null, 'then it is no longer followed');
    assert.equal(next(1)?.demandPercent, null);
    idle.kill('SIGKILL');
  });
});

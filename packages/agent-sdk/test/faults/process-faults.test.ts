// Faults that block, bloat or end the process, tested on an SDK agent in a child process.
import assert from 'node:assert/strict';
import { after, afterEach, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ChildProcesses, paced, waitFor } from '@vigil/shared/testing';
import { FakeWatchdog } from '../support/fake-watchdog.ts';

const CHILD = fileURLToPath(new URL('../fixtures/child-agent.mjs', import.meta.url));
const MIB = 1024 * 1024;

describe('faults in a child process', () => {
  const children = new ChildProcesses();
  const watchdogs: FakeWatchdog[] = [];

  async function childAgent(nodeArgs: string[] = []) {
    const watchdog = await FakeWatchdog.start();
    watchdogs.push(watchdog);
    const spawned = children.spawn(CHILD, { VIGIL_AGENT_SOCKET: watchdog.path, VIGIL_FAULTS: '1' }, nodeArgs);
    await watchdog.waitForBeats(2, 10_000);
    return { watchdog, ...spawned };
  }

  afterEach(async () => {
    await children.killAll();
    await Promise.all(watchdogs.splice(0).map((w) => w.dispose()));
  });
  after(() => children.killAll());

  test('hang answers first, then blocks the loop: heartbeats gap, then resume with the lag', async () => {
    const { watchdog } = await childAgent();
    const result = await watchdog.command({ cmd: 'fault', fault: { name: 'hang', seconds: 1 } });
    assert.equal(result.ok, true);
    assert.deepEqual(result.did, ['hang: blocking the event loop for 1 s']);
    const after = await waitFor(
      () => {
        const seen = watchdog.afterResult(result.id);
        return seen && seen.beats.length > 0 ? seen : undefined;
      },
      5000,
      'heartbeats after the hang',
    );
    const first = after.beats[0];
    assert.ok(first);
    // The gap as the agent stamped its beats (its monotonic clock), not as this busy test read them.
    const before = watchdog.heartbeats.filter((b) => b.seq < first.beat.seq).at(-1);
    assert.ok(before, 'a beat before the hang');
    const gap = first.beat.mono - before.mono;
    assert.ok(gap >= 950, `heartbeats paused for ${gap} ms`);
    assert.ok(first.beat.lagMs >= 800, `the first beat after the block reports lag ${first.beat.lagMs} ms`);
    const pong = await watchdog.command({ cmd: 'ping' });
    assert.equal(pong.ok, true);
  });

  test('leak grows RSS at roughly its rate, and clear gives the memory back', async () => {
    const { watchdog } = await childAgent(['--expose-gc']);
    const rate = 40;
    const before = await watchdog.nextBeat();
    const result = await watchdog.command({ cmd: 'fault', fault: { name: 'leak', mbPerSec: rate } });
    assert.deepEqual(result.did, [`leak: growing memory by ${rate} MiB/s until cleared`]);
    const grown = await watchdog.nextBeat((b) => b.rssBytes - before.rssBytes >= 60 * MIB, paced(5000));
    // Elapsed as the agent's own beats stamp it.
    const elapsedS = (grown.mono - before.mono) / 1000;
    const grewMiB = (grown.rssBytes - before.rssBytes) / MIB;
    const expected = rate * elapsedS;
    assert.ok(
      grewMiB >= expected * 0.5 && grewMiB <= expected * 1.5 + 20,
      `grew ${grewMiB} MiB in ${elapsedS} s`,
    );
    assert.ok(grown.heapUsedBytes - before.heapUsedBytes < 20 * MIB, 'outside the JS heap');
    const cleared = await watchdog.command({ cmd: 'fault', fault: { name: 'clear' } });
    assert.match(cleared.did[0] ?? '', /^leak: released \d+ MiB$/);
    const peak = Math.max(...watchdog.heartbeats.map((b) => b.rssBytes));
    await watchdog.nextBeat((b) => b.rssBytes < peak - ((peak - before.rssBytes) * 2) / 3, 5000);
  });

  test('leak with seconds ends by itself and lets the memory go', async () => {
    const { watchdog } = await childAgent(['--expose-gc']);
    const before = await watchdog.nextBeat();
    const result = await watchdog.command({
      cmd: 'fault',
      fault: { name: 'leak', mbPerSec: 80, seconds: 0.5 },
    });
    assert.equal(result.ok, true);
    const grown = await watchdog.nextBeat((b) => b.rssBytes - before.rssBytes >= 20 * MIB, 3000);
    const released = await watchdog.nextBeat((b) => b.rssBytes - before.rssBytes < 15 * MIB, 5000);
    assert.ok(released.seq > grown.seq);
  });

  test('crash answers, then exits with the code', async () => {
    const { watchdog, exited } = await childAgent();
    const result = await watchdog.command({ cmd: 'fault', fault: { name: 'crash', exitCode: 7 } });
    assert.deepEqual(result.did, ['crash: exiting with code 7']);
    assert.deepEqual(await exited, { code: 7, signal: null });
  });

  test('crash without a code exits 1', async () => {
    const { watchdog, exited } = await childAgent();
    await watchdog.command({ cmd: 'fault', fault: { name: 'crash' } });
    assert.equal((await exited).code, 1);
  });

  test('SIGTERM stops the agent gracefully and quickly', async () => {
    const { child, exited } = await childAgent();
    const started = Date.now();
    child.kill('SIGTERM');
    assert.deepEqual(await exited, { code: 0, signal: null });
    assert.ok(Date.now() - started < paced(1500));
  });
});

// Every refusal of the one signalling function, against real processes. Targets that must never
// be signalled are tried with signal 0 (a permission probe that delivers nothing), so that even a
// broken guard could not hurt this host.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { isSameProcessAlive, readProcStat, readUid } from '../../src/process/proc-stat.ts';
import { guardedSignal } from '../../src/process/signal-guard.ts';

const children: ChildProcess[] = [];
after(() => {
  for (const child of children) child.kill('SIGKILL');
});

async function start(
  command: string,
  args: string[],
  options: Parameters<typeof spawn>[2] = {},
): Promise<{ pid: number; startTicks: number; child: ChildProcess }> {
  const child = spawn(command, args, { stdio: 'ignore', ...options });
  children.push(child);
  await once(child, 'spawn');
  const pid = child.pid as number;
  return { pid, startTicks: readProcStat(pid)?.startTicks as number, child };
}

const sleeper = (options: Parameters<typeof spawn>[2] = {}) => start('sleep', ['1000'], options);

async function waitGone(pid: number, startTicks: number): Promise<boolean> {
  const deadline = performance.now() + 5000;
  while (isSameProcessAlive(pid, startTicks) && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 10));
  }
  return !isSameProcessAlive(pid, startTicks);
}

function ticksOf(pid: number): number {
  return readProcStat(pid)?.startTicks ?? 0;
}

describe('guardedSignal refuses', () => {
  for (const pid of [0, 1, -1, -42, 1.5, Number.NaN]) {
    test(`pid ${pid}, as a process and as a group`, () => {
      for (const group of [false, true]) {
        const verdict = guardedSignal({ pid, startTicks: pid === 1 ? ticksOf(1) : 0, group }, 0);
        assert.equal(verdict.outcome, 'refused', JSON.stringify(verdict));
        assert.match((verdict as { reason: string }).reason, /never signalled/);
      }
    });
  }

  test("the watchdog's own pid", () => {
    const verdict = guardedSignal({ pid: process.pid, startTicks: ticksOf(process.pid) }, 0);
    assert.deepEqual(verdict, { outcome: 'refused', reason: `pid ${process.pid} is the watchdog itself` });
  });

  test("the watchdog's own process group, and its leader", () => {
    const pgid = readProcStat(process.pid)?.pgrp as number;
    // The test runner starts each file in a child: it never leads its own group.
    assert.notEqual(pgid, process.pid);
    for (const group of [true, false]) {
      const verdict = guardedSignal({ pid: pgid, startTicks: ticksOf(pgid), group }, 0);
      assert.equal(verdict.outcome, 'refused', JSON.stringify(verdict));
      assert.match((verdict as { reason: string }).reason, /own process group/);
    }
  });

  test('a group whose leader is not the process named (it does not lead a group of its own)', async () => {
    // Not detached: the child is in this process's group, not the leader of one.
    const { pid, startTicks } = await sleeper();
    assert.notEqual(readProcStat(pid)?.pgrp, pid);
    const verdict = guardedSignal({ pid, startTicks, group: true }, 'SIGKILL');
    assert.equal(verdict.outcome, 'refused');
    assert.match((verdict as { reason: string }).reason, /does not lead its own process group/);
    assert.ok(isSameProcessAlive(pid, startTicks), 'nothing was signalled');
  });

  test('a reused pid: same pid, other start ticks', async () => {
    const { pid, startTicks } = await sleeper();
    for (const group of [false, true]) {
      const verdict = guardedSignal({ pid, startTicks: startTicks - 1, group }, 'SIGKILL');
      assert.equal(verdict.outcome, 'refused');
      assert.match((verdict as { reason: string }).reason, /another process now/);
    }
    assert.ok(isSameProcessAlive(pid, startTicks));
  });

  test('a process of another uid (and a root watchdog only with the proof it carries)', async () => {
    const euid = process.geteuid?.() as number;
    if (euid === 0) {
      const token = 'VIGIL_AGENT_INSTANCE=4a1e8c52-3d6f-4b8a-9c0e-7f2d1b3a5c6e';
      const { pid, startTicks } = await sleeper({
        uid: 65534,
        gid: 65534,
        env: { [token.split('=')[0] as string]: token.split('=')[1] as string },
      });
      assert.equal(readUid(pid), 65534);
      const bare = guardedSignal({ pid, startTicks }, 'SIGKILL');
      assert.equal(bare.outcome, 'refused');
      assert.match((bare as { reason: string }).reason, /runs as uid 65534/);
      const wrong = guardedSignal({ pid, startTicks, proof: `${token}0` }, 'SIGKILL');
      assert.equal(wrong.outcome, 'refused', 'a proof it does not carry exactly');
      assert.ok(isSameProcessAlive(pid, startTicks));
      assert.deepEqual(guardedSignal({ pid, startTicks, proof: token }, 'SIGKILL'), { outcome: 'sent' });
      assert.ok(await waitGone(pid, startTicks));
    } else {
      // Not root: any process of another uid on this host (there is always one: root's).
      const other = readdirSync('/proc')
        .map(Number)
        .find((pid) => pid > 1 && readUid(pid) !== null && readUid(pid) !== euid);
      assert.ok(other, 'a process of another uid');
      const verdict = guardedSignal({ pid: other, startTicks: ticksOf(other), proof: 'A=b' }, 0);
      assert.equal(verdict.outcome, 'refused');
      assert.match((verdict as { reason: string }).reason, /runs as uid/);
    }
  });
});

describe('guardedSignal sends', () => {
  test('to the process named, and says gone once it has exited', async () => {
    const { pid, startTicks, child } = await sleeper();
    assert.deepEqual(guardedSignal({ pid, startTicks }, 'SIGKILL'), { outcome: 'sent' });
    await once(child, 'exit');
    assert.equal(guardedSignal({ pid, startTicks }, 'SIGKILL').outcome, 'gone');
  });

  test('to the group its target leads: leader and members', async () => {
    const script =
      "require('node:child_process').spawn('sleep', ['1000'], { stdio: 'ignore' }); setInterval(() => {}, 1000)";
    const leader = await start(process.execPath, ['-e', script], { detached: true });
    let member: number | undefined;
    const deadline = performance.now() + 5000;
    while (member === undefined && performance.now() < deadline) {
      member = readdirSync('/proc')
        .map(Number)
        .find((pid) => pid !== leader.pid && readProcStat(pid)?.pgrp === leader.pid);
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.ok(member, 'the group has a member');
    const memberTicks = ticksOf(member);
    assert.deepEqual(guardedSignal({ ...leader, group: true }, 'SIGKILL'), { outcome: 'sent' });
    assert.ok(await waitGone(leader.pid, leader.startTicks));
    assert.ok(await waitGone(member, memberTicks));
  });
});

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { findByInstance, INSTANCE_ENV, snapshotTree } from '../../src/process/descendants.ts';
import { killTree, sweepAfterExit } from '../../src/process/kill-tree.ts';
import { isSameProcessAlive, readProcStat } from '../../src/process/proc-stat.ts';

const dir = mkdtempSync('/tmp/vg-kill-');
const spawned: number[] = [];
after(() => {
  for (const pid of spawned) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
  rmSync(dir, { recursive: true, force: true });
});

/**
 * A process tree like a misbehaving agent's: a leader in its own group with a child, a
 * grandchild, and a grandchild that called setsid (left the group). Pids go to a file.
 */
async function startTree(options: { ignoreTerm?: boolean; token?: string } = {}) {
  const pidsFile = join(dir, `pids-${Date.now()}-${Math.random()}.json`);
  const script = `
    const { spawn } = require('node:child_process');
    const fs = require('node:fs');
    ${options.ignoreTerm ? "process.on('SIGTERM', () => {});" : ''}
    const sleeper = (detached) => spawn('sleep', ['1000'], { detached, stdio: 'ignore' });
    const child = spawn(process.execPath, ['-e', "require('node:child_process').spawn('sleep', ['1000'], { stdio: 'ignore' }); setInterval(() => {}, 1000)"], { stdio: 'ignore' });
    const escaped = sleeper(true);
    setTimeout(() => {
      fs.writeFileSync(${JSON.stringify(pidsFile)}, JSON.stringify({ child: child.pid, escaped: escaped.pid }));
    }, 300);
    setInterval(() => {}, 1000);
  `;
  const leader = spawn(process.execPath, ['-e', script], {
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, ...(options.token ? { [INSTANCE_ENV]: options.token } : {}) },
  });
  await once(leader, 'spawn');
  spawned.push(leader.pid as number);
  let pids: { child: number; escaped: number } | undefined;
  const deadline = Date.now() + 5000;
  while (!pids && Date.now() < deadline) {
    try {
      pids = JSON.parse(readFileSync(pidsFile, 'utf8'));
    } catch {
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  assert.ok(pids, 'the tree started');
  spawned.push(pids.child, pids.escaped);
  return { leader, pids };
}

describe('killTree', () => {
  test('SIGTERM to the group; the setsid grandchild, orphaned at once, is found by its token and killed', async () => {
    const token = `t-term-${Date.now()}`;
    const { leader, pids } = await startTree({ token });
    const tree = await snapshotTree(leader.pid as number);
    assert.ok(
      tree.some((p) => p.pid === pids.escaped),
      'the escaped grandchild is in the tree snapshot',
    );
    assert.ok(tree.length >= 3, `child, its sleep, and the escaped sleep: ${JSON.stringify(tree)}`);
    assert.notEqual(readProcStat(pids.escaped)?.pgrp, leader.pid, 'it really left the group');
    const outcome = await killTree({ pid: leader.pid as number, instance: token, graceMs: 2000 });
    assert.equal(outcome.how, 'SIGTERM');
    assert.deepEqual(outcome.survivors, []);
    for (const p of tree)
      assert.equal(isSameProcessAlive(p.pid, p.startTicks), false, `${p.name} ${p.pid} is gone`);
  });

  test('a leader that ignores SIGTERM is SIGKILLed after the grace; its tree, listed meanwhile, goes too', async () => {
    const { leader, pids } = await startTree({ ignoreTerm: true });
    const started = Date.now();
    const outcome = await killTree({ pid: leader.pid as number, graceMs: 300 });
    assert.equal(outcome.how, 'SIGKILL');
    assert.ok(Date.now() - started >= 300);
    assert.deepEqual(outcome.survivors, []);
    assert.ok(
      outcome.killed.some((p) => p.pid === pids.escaped),
      'found in the tree without a token',
    );
    assert.equal(isSameProcessAlive(pids.escaped), false);
  });

  test('a stopped leader gets SIGKILL at once, without waiting out the grace', async () => {
    const { leader } = await startTree();
    process.kill(leader.pid as number, 'SIGSTOP');
    const deadline = Date.now() + 2000;
    while (readProcStat(leader.pid as number)?.state !== 'T' && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 5));
    const started = Date.now();
    const outcome = await killTree({ pid: leader.pid as number, graceMs: 5000 });
    assert.equal(outcome.how, 'SIGKILL');
    assert.ok(Date.now() - started < 4000, 'did not wait the 5 s grace');
  });

  test('after the leader exited, the sweep finds orphans by the instance token', async () => {
    const token = `t-${Date.now()}`;
    const { leader, pids } = await startTree({ token });
    assert.ok(findByInstance(token).some((p) => p.pid === pids.escaped));
    process.kill(leader.pid as number, 'SIGKILL');
    await once(leader, 'exit');
    // The leader is gone, so its tree is no longer reachable by parent pid; the token still is.
    const outcome = await sweepAfterExit(leader.pid as number, token);
    // The group went with one SIGKILL; the setsid grandchild is found by its token.
    assert.ok(
      outcome.killed.some((p) => p.pid === pids.escaped),
      JSON.stringify(outcome.killed),
    );
    assert.deepEqual(outcome.survivors, []);
    assert.deepEqual(findByInstance(token), []);
  });
});

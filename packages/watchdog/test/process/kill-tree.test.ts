import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { waitFor } from '@vigil/shared/testing';
import { findByInstance, INSTANCE_ENV, walkTree } from '../../src/process/descendants.ts';
import { killMarked, killTree, sweepAfterExit } from '../../src/process/kill-tree.ts';
import { hasEnvironEntry, isSameProcessAlive, readProcStat } from '../../src/process/proc-stat.ts';

const dir = mkdtempSync('/tmp/vg-kill-');
const spawned: number[] = [];
const MARK = 'VG_KILL_TREE_TEST';
const mark = `${process.pid}-${Date.now()}`;
after(() => {
  for (const pid of spawned) {
    try {
      if (pid > 1) process.kill(pid, 'SIGKILL');
    } catch {}
  }
  // Anything of this file's trees that escaped, found by its marker.
  for (const pid of marked()) process.kill(pid, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** Live processes started by this file's trees (they inherit MARK unless they clear it). */
function marked(): number[] {
  return readdirSync('/proc')
    .map(Number)
    .filter((pid) => pid > 1 && pid !== process.pid && hasEnvironEntry(pid, `${MARK}=${mark}`))
    .filter((pid) => isSameProcessAlive(pid));
}

function waitForFile<T>(file: string): Promise<T> {
  const read = (): T | undefined => {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as T;
    } catch {
      return undefined;
    }
  };
  return waitFor(read, 10_000, `${file} to appear`, 20);
}

/**
 * A process tree like a misbehaving agent's: a leader in its own group with a child, a
 * grandchild, a child that called setsid (left the group) and, when asked, a grandchild hidden
 * by a setsid + double fork with `env -i` (no token, no marker, orphaned at once). Pids go to a
 * file. The leader is not a subreaper here, so the hidden one is out of its tree from the start.
 */
async function startTree(options: { ignoreTerm?: boolean; token?: string; hide?: boolean } = {}) {
  const pidsFile = join(dir, `pids-${randomUUID()}.json`);
  // The pids file is written once every process is up (a slow host may take a while to start node).
  const script = `
    const { spawn } = require('node:child_process');
    const fs = require('node:fs');
    ${options.ignoreTerm ? "process.on('SIGTERM', () => {});" : ''}
    const child = spawn(process.execPath, ['-e', "const s = require('node:child_process').spawn('sleep', ['1000'], { stdio: 'ignore' }); console.log(s.pid); setInterval(() => {}, 1000)"], { stdio: ['ignore', 'pipe', 'ignore'] });
    const escaped = spawn('sleep', ['1000'], { detached: true, stdio: 'ignore' });
    const pids = { child: child.pid, grandchild: null, escaped: escaped.pid, hidden: null };
    const write = () => {
      if (pids.grandchild && (pids.hidden || !${Boolean(options.hide)})) fs.writeFileSync(${JSON.stringify(pidsFile)}, JSON.stringify(pids));
    };
    child.stdout.once('data', (d) => { pids.grandchild = Number(d); write(); });
    if (${Boolean(options.hide)}) {
      const sh = spawn('sh', ['-c', 'env -i sleep 1000 </dev/null >/dev/null 2>&1 & echo $!'], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
      let hidden = 0;
      sh.stdout.once('data', (d) => { hidden = Number(d); });
      // Orphaned once sh has exited.
      sh.once('exit', () => { pids.hidden = hidden; write(); });
    }
    setInterval(() => {}, 1000);
  `;
  const leader = spawn(process.execPath, ['-e', script], {
    detached: true,
    stdio: 'ignore',
    env: { ...process.env, [MARK]: mark, ...(options.token ? { [INSTANCE_ENV]: options.token } : {}) },
  });
  await once(leader, 'spawn');
  const pid = leader.pid as number;
  spawned.push(pid);
  const pids = await waitForFile<{
    child: number;
    grandchild: number;
    escaped: number;
    hidden: number | null;
  }>(pidsFile);
  spawned.push(pids.child, pids.grandchild, pids.escaped, ...(pids.hidden ? [pids.hidden] : []));
  const root = { pid, startTicks: readProcStat(pid)?.startTicks as number };
  return { leader, root, pids };
}

describe('killTree', () => {
  test('SIGTERM to the group; the setsid child, listed before the first signal, is killed too', async () => {
    const token = randomUUID();
    const { root, pids } = await startTree({ token });
    const tree = walkTree([{ ...root, name: 'leader' }]);
    for (const pid of [pids.child, pids.grandchild, pids.escaped]) {
      assert.ok(
        tree.some((p) => p.pid === pid),
        `child, its sleep, and the setsid sleep are in the tree: ${JSON.stringify(tree)}`,
      );
    }
    assert.notEqual(readProcStat(pids.escaped)?.pgrp, root.pid, 'it really left the group');
    const outcome = await killTree({ root, instance: token, graceMs: 2000 });
    assert.equal(outcome.how, 'SIGTERM');
    assert.deepEqual(outcome.survivors, []);
    assert.deepEqual(outcome.refused, []);
    for (const p of tree)
      assert.equal(isSameProcessAlive(p.pid, p.startTicks), false, `${p.name} ${p.pid} is gone`);
    assert.deepEqual(marked(), []);
  });

  test('a leader that ignores SIGTERM is SIGKILLed after the grace; its tree goes too', async () => {
    const { root, pids } = await startTree({ ignoreTerm: true });
    const started = performance.now();
    const outcome = await killTree({ root, graceMs: 300 });
    assert.equal(outcome.how, 'SIGKILL');
    assert.ok(performance.now() - started >= 300, 'the grace was given');
    assert.deepEqual(outcome.survivors, []);
    assert.ok(
      outcome.killed.some((p) => p.pid === pids.escaped),
      'found in the tree without a token',
    );
    assert.equal(isSameProcessAlive(pids.escaped), false);
    assert.deepEqual(marked(), []);
  });

  test('a stopped leader gets SIGKILL at once, without waiting out the grace', async () => {
    const { root } = await startTree();
    process.kill(root.pid, 'SIGSTOP');
    const deadline = performance.now() + 2000;
    while (readProcStat(root.pid)?.state !== 'T' && performance.now() < deadline)
      await new Promise((r) => setTimeout(r, 5));
    const outcome = await killTree({ root, graceMs: 60_000 });
    assert.equal(outcome.how, 'SIGKILL');
    assert.deepEqual(marked(), []);
  });

  test('a tree that keeps forking is frozen before the kill: nothing is left', async () => {
    // A child that starts a new sleep every few ms, in and out of the group.
    const script = `
      const { spawn } = require('node:child_process');
      spawn('sh', ['-c', 'while :; do sleep 1000 & setsid sleep 1000 & sleep 0.01; done'], { stdio: 'ignore' });
      setInterval(() => {}, 1000);
    `;
    const leader = spawn(process.execPath, ['-e', script], {
      detached: true,
      stdio: 'ignore',
      env: { ...process.env, [MARK]: mark },
    });
    await once(leader, 'spawn');
    spawned.push(leader.pid as number);
    const root = {
      pid: leader.pid as number,
      startTicks: readProcStat(leader.pid as number)?.startTicks as number,
    };
    const deadline = performance.now() + 10_000;
    while (marked().length < 20 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.ok(marked().length >= 20, 'the tree is forking');
    const outcome = await killTree({ root, graceMs: 0 });
    assert.deepEqual(outcome.survivors, []);
    assert.deepEqual(marked(), [], 'every process of the tree is gone');
  });

  test('a pid that now names another process is not the root: nothing of it is signalled', async () => {
    const { root, pids } = await startTree();
    const outcome = await killTree({
      root: { pid: root.pid, startTicks: root.startTicks + 1 },
      graceMs: 100,
    });
    assert.equal(outcome.how, 'already-exited');
    assert.ok(isSameProcessAlive(root.pid, root.startTicks), 'the process on that pid was left alone');
    assert.ok(isSameProcessAlive(pids.child), 'and its children too');
  });
});

describe('sweepAfterExit', () => {
  test('finds orphans by the instance token once the leader is gone', async () => {
    const token = randomUUID();
    const { leader, root, pids } = await startTree({ token });
    assert.ok((await findByInstance(token)).some((p) => p.pid === pids.escaped));
    process.kill(root.pid, 'SIGKILL');
    await once(leader, 'exit');
    // The leader is gone, so its tree is no longer reachable by parent pid; the token still is.
    const outcome = await sweepAfterExit({ root, instance: token });
    assert.ok(
      outcome.killed.some((p) => p.pid === pids.escaped),
      JSON.stringify(outcome.killed),
    );
    assert.deepEqual(outcome.survivors, []);
    assert.deepEqual(await findByInstance(token), []);
  });

  test('kills what was tracked, and what is below it, even without a token', async () => {
    const { leader, root, pids } = await startTree({ hide: true });
    // Tracked while the leader ran: its whole tree (the hidden one was never in it).
    const tracked = walkTree([{ ...root, name: 'leader' }]);
    process.kill(root.pid, 'SIGKILL');
    await once(leader, 'exit');
    const outcome = await sweepAfterExit({ root, instance: undefined, tracked });
    assert.deepEqual(outcome.survivors, []);
    for (const p of tracked) assert.equal(isSameProcessAlive(p.pid, p.startTicks), false, `${p.pid} gone`);
    // What hid before anything saw it is the documented limit without a subreaper.
    assert.ok(
      pids.hidden && isSameProcessAlive(pids.hidden),
      'the never-seen hidden grandchild is beyond reach',
    );
    process.kill(pids.hidden, 'SIGKILL');
  });
});

describe('killMarked', () => {
  test('kills carriers of both entries only', async () => {
    const token = randomUUID();
    const socket = `${dir}/agent.sock`;
    const both = spawn('sleep', ['1000'], {
      stdio: 'ignore',
      env: { PATH: process.env.PATH, [INSTANCE_ENV]: token, VIGIL_AGENT_SOCKET: socket },
    });
    const tokenOnly = spawn('sleep', ['1000'], {
      stdio: 'ignore',
      env: { PATH: process.env.PATH, [INSTANCE_ENV]: token },
    });
    await Promise.all([once(both, 'spawn'), once(tokenOnly, 'spawn')]);
    spawned.push(both.pid as number, tokenOnly.pid as number);
    const outcome = await killMarked({ instance: token, alsoEntry: `VIGIL_AGENT_SOCKET=${socket}` });
    assert.deepEqual(
      outcome.killed.map((p) => p.pid),
      [both.pid],
    );
    assert.deepEqual(outcome.survivors, []);
    assert.ok(isSameProcessAlive(tokenOnly.pid as number), 'a token read from a file is not enough');
  });
});

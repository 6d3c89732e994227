import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { judgeAdoption } from '../../src/process/adoption.ts';
import { acquireLock } from '../../src/process/lock-file.ts';
import { type AgentPidRecord, readPidFile, writePidFile } from '../../src/process/pid-file.ts';
import { parseProcStat, readCmdline, readProcStat } from '../../src/process/proc-stat.ts';

const dir = mkdtempSync('/tmp/vg-adopt-');
const children: number[] = [];
after(() => {
  for (const pid of children) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {}
  }
  rmSync(dir, { recursive: true, force: true });
});

async function sleeper(): Promise<AgentPidRecord> {
  const child = spawn('sleep', ['1000'], { stdio: 'ignore' });
  await once(child, 'spawn');
  const pid = child.pid as number;
  children.push(pid);
  return {
    pid,
    startTicks: readProcStat(pid)?.startTicks ?? -1,
    startedAt: Date.now(),
    cmdline: readCmdline(pid) ?? [],
    instance: 'i1',
    watchdogPid: process.pid,
  };
}

describe('/proc parsing', () => {
  test('a comm with spaces and parentheses', () => {
    const line =
      '123 (my (odd) proc) S 1 123 123 0 -1 4194560 100 0 0 0 7 3 0 0 20 0 1 0 5555 1000 50 0 0 0 0';
    const stat = parseProcStat(line);
    assert.equal(stat?.comm, 'my (odd) proc');
    assert.equal(stat?.state, 'S');
    assert.equal(stat?.ppid, 1);
    assert.equal(stat?.pgrp, 123);
    assert.equal(stat?.startTicks, 5555);
    assert.equal(stat?.cpuTicks, 10);
  });
});

describe('pid file and adoption', () => {
  test('round trip, and a corrupt file reads as absent', () => {
    const path = join(dir, 'agent.pid');
    const record = {
      pid: 5,
      startTicks: 9,
      startedAt: 1,
      cmdline: ['node', 'a.js'],
      instance: 'x',
      watchdogPid: 2,
    };
    writePidFile(path, record);
    assert.deepEqual(readPidFile(path), record);
    writeFileSync(path, '5\n{not json');
    assert.equal(readPidFile(path), null);
    assert.equal(readPidFile(join(dir, 'absent.pid')), null);
  });

  test('a live process with matching start time and command line is adopted', async () => {
    const record = await sleeper();
    assert.deepEqual(await judgeAdoption(record), { adopt: true, record });
  });

  test('a reused pid (same pid, other start time) is never adopted', async () => {
    const record = await sleeper();
    const verdict = await judgeAdoption({ ...record, startTicks: record.startTicks - 1 });
    assert.equal(verdict.adopt, false);
    assert.match((verdict as { reason: string }).reason, /reused by another process/);
  });

  test('a different command line is not adopted', async () => {
    const record = await sleeper();
    const verdict = await judgeAdoption({ ...record, cmdline: ['node', 'agent.js'] });
    assert.equal(verdict.adopt, false);
    assert.match((verdict as { reason: string }).reason, /does not run the recorded agent command/);
  });

  test('a dead pid is not adopted', async () => {
    const record = await sleeper();
    process.kill(record.pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 50));
    const verdict = await judgeAdoption(record);
    assert.equal(verdict.adopt, false);
  });
});

describe('watchdog lock', () => {
  test('a live owner refuses a second holder, naming it; release frees it', () => {
    const path = join(dir, 'watchdog.lock');
    const lock = acquireLock(path);
    // Pretend another live process (our parent) holds it.
    writeFileSync(
      path,
      JSON.stringify({ pid: process.ppid, startTicks: readProcStat(process.ppid)?.startTicks }),
    );
    assert.throws(() => acquireLock(path), {
      code: 'VIGIL_WATCHDOG_RUNNING',
      message: new RegExp(`pid ${process.ppid}`),
    });
    writeFileSync(
      path,
      JSON.stringify({ pid: process.pid, startTicks: readProcStat(process.pid)?.startTicks }),
    );
    lock.release();
    acquireLock(path).release();
  });

  test('a stale lock (dead owner, or a reused pid) is taken over', () => {
    const path = join(dir, 'stale.lock');
    writeFileSync(path, JSON.stringify({ pid: 999_999_999, startTicks: 1 }));
    acquireLock(path).release();
    writeFileSync(path, JSON.stringify({ pid: process.ppid, startTicks: -5 }));
    acquireLock(path).release();
    writeFileSync(path, 'garbage');
    acquireLock(path).release();
  });
});

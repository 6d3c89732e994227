import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { judgeAdoption } from '../../src/process/adoption.ts';
import { INSTANCE_ENV } from '../../src/process/descendants.ts';
import { acquireLock } from '../../src/process/lock-file.ts';
import { type AgentPidRecord, parsePidFile, readPidFile, writePidFile } from '../../src/process/pid-file.ts';
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

/**
 * A live process and the record a watchdog would have written for it. It carries the recorded
 * token, unless `env` is given: then it carries `env` instead.
 */
async function sleeper(env?: Record<string, string>): Promise<AgentPidRecord> {
  const instance = randomUUID();
  const child = spawn('sleep', ['1000'], {
    stdio: 'ignore',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...(env ?? { [INSTANCE_ENV]: instance }) },
  });
  await once(child, 'spawn');
  const pid = child.pid as number;
  children.push(pid);
  return {
    pid,
    startTicks: readProcStat(pid)?.startTicks ?? -1,
    startedAt: Date.now(),
    cmdline: readCmdline(pid) ?? [],
    instance,
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
      instance: randomUUID(),
      watchdogPid: 2,
    };
    writePidFile(path, record);
    assert.deepEqual(readPidFile(path), record);
    writeFileSync(path, '5\n{not json');
    assert.equal(readPidFile(path), null);
    assert.equal(readPidFile(join(dir, 'absent.pid')), null);
  });

  test('a live process with matching start time, command line and instance token is adopted', async () => {
    const record = await sleeper();
    assert.deepEqual(await judgeAdoption(record), { adopt: true, record });
  });

  test('matching command line and start time, but no token or another one: not adopted', async () => {
    const envs: Array<Record<string, string>> = [
      { [INSTANCE_ENV]: '' },
      { [INSTANCE_ENV]: randomUUID() },
      { UNRELATED: 'x' },
    ];
    for (const env of envs) {
      const record = await sleeper(env);
      const verdict = await judgeAdoption(record);
      assert.equal(verdict.adopt, false, JSON.stringify(env));
      assert.match((verdict as { reason: string }).reason, /does not carry the recorded instance token/);
    }
  });

  test('the token must be its own environment entry, not part of another', async () => {
    const token = randomUUID();
    for (const env of [
      { [INSTANCE_ENV]: '', [`NOT_${INSTANCE_ENV}`]: token } as Record<string, string>,
      { [INSTANCE_ENV]: `${token}0` },
      { [INSTANCE_ENV]: `x${token}` },
    ]) {
      const record = { ...(await sleeper(env)), instance: token };
      const verdict = await judgeAdoption(record);
      assert.equal(verdict.adopt, false, JSON.stringify(env));
    }
  });

  test('the command line is compared argument by argument, not as one joined string', async () => {
    const record = await sleeper();
    const verdict = await judgeAdoption({ ...record, cmdline: [record.cmdline.join(' ')] });
    assert.equal(verdict.adopt, false);
  });

  test('pid 1 is never adopted, even with its real start time and command line', async () => {
    const record = {
      pid: 1,
      startTicks: readProcStat(1)?.startTicks ?? 1,
      startedAt: 0,
      cmdline: readCmdline(1) ?? ['init'],
      instance: randomUUID(),
      watchdogPid: 4242,
    };
    const path = join(dir, 'pid1.pid');
    writeFileSync(path, `1\n${JSON.stringify(record)}\n`);
    assert.equal(readPidFile(path), null, 'the file is refused as it is read');
    const verdict = await judgeAdoption(record);
    assert.equal(verdict.adopt, false);
    assert.match((verdict as { reason: string }).reason, /can never be the agent/);
  });

  test("the watchdog's own pid is never adopted", async () => {
    const verdict = await judgeAdoption({
      pid: process.pid,
      startTicks: readProcStat(process.pid)?.startTicks ?? 1,
      startedAt: 0,
      cmdline: readCmdline(process.pid) ?? [],
      instance: randomUUID(),
      watchdogPid: 4242,
    });
    assert.equal(verdict.adopt, false);
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

describe('pid file parsing of hostile content', () => {
  const good = {
    pid: 4321,
    startTicks: 99,
    startedAt: 1_700_000_000_000,
    cmdline: ['node', 'agent.js'],
    instance: '4a1e8c52-3d6f-4b8a-9c0e-7f2d1b3a5c6e',
    watchdogPid: 1234,
  };
  const text = (value: unknown, first = String((value as { pid?: unknown }).pid)) =>
    `${first}\n${JSON.stringify(value)}\n`;

  test('a well-formed record, and a systemd invocation id as the token', () => {
    assert.deepEqual(parsePidFile(text(good)), { record: good });
    const systemd = { ...good, instance: '0123456789abcdef0123456789abcdef' };
    assert.deepEqual(parsePidFile(text(systemd)), { record: systemd });
  });

  const hostile: Array<[string, string]> = [
    ['pid 0', text({ ...good, pid: 0 })],
    ['pid 1', text({ ...good, pid: 1 })],
    ['pid -1', text({ ...good, pid: -1 })],
    ['a pid as a string', text({ ...good, pid: '4321' })],
    ['a fractional pid', text({ ...good, pid: 4321.5 })],
    ['a pid beyond any integer', text({ ...good, pid: 1e300 })],
    ['a first line naming another pid', text(good, '1')],
    ['no first line', JSON.stringify(good)],
    ['extra lines', `${text(good)}more\n`],
    ['start ticks 0', text({ ...good, startTicks: 0 })],
    ['negative start ticks', text({ ...good, startTicks: -5 })],
    ['start ticks as a string', text({ ...good, startTicks: '99' })],
    ['no startedAt', text({ ...good, startedAt: undefined })],
    ['an empty command line', text({ ...good, cmdline: [] })],
    ['an empty program', text({ ...good, cmdline: [''] })],
    ['a command line of numbers', text({ ...good, cmdline: [1, 2] })],
    ['a command line as a string', text({ ...good, cmdline: 'node agent.js' })],
    ['a NUL in an argument', text({ ...good, cmdline: ['node', 'a\0b'] })],
    ['a token of the wrong shape', text({ ...good, instance: 'gone' })],
    ['an empty token', text({ ...good, instance: '' })],
    ['a token with a path in it', text({ ...good, instance: '../../etc/passwd' })],
    ['an upper-case token', text({ ...good, instance: good.instance.toUpperCase() })],
    ['watchdog pid 1', text({ ...good, watchdogPid: 1 })],
    ['an array', text([good])],
    ['null', 'null\nnull\n'],
    ['not JSON', '4321\n{"pid": 4321,\n'],
    ['nothing', ''],
  ];
  for (const [name, content] of hostile) {
    test(`refused: ${name}`, () => {
      assert.ok('problem' in parsePidFile(content), JSON.stringify(parsePidFile(content)));
      const path = join(dir, `hostile-${randomUUID()}.pid`);
      writeFileSync(path, content);
      assert.equal(readPidFile(path), null);
    });
  }

  test('a symlink, a FIFO (which must not block) and an oversized file read as absent', () => {
    const target = join(dir, 'target.pid');
    writeFileSync(target, text(good));
    const link = join(dir, 'link.pid');
    symlinkSync(target, link);
    assert.equal(readPidFile(link), null);
    const fifo = join(dir, 'fifo.pid');
    execFileSync('mkfifo', [fifo]);
    assert.equal(readPidFile(fifo), null);
    const big = join(dir, 'big.pid');
    writeFileSync(big, text({ ...good, cmdline: ['node', 'x'.repeat(300 * 1024)] }));
    assert.equal(readPidFile(big), null);
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

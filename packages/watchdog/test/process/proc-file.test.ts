// Held /proc descriptors against real processes: a descriptor keeps naming the process it was
// opened on, so after that process exits its reads fail, even once a new process has its pid.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { waitFor } from '@vigil/shared/testing';
import { parseStatRead, readStatFile, readUsage } from '../../src/detect/proc-usage.ts';
import { HELD_LIMIT, heldProcFiles, ProcFile, readOnce } from '../../src/process/proc-file.ts';
import { readProcStat } from '../../src/process/proc-stat.ts';
import { canChoosePid, tailAt, withReusedPid } from './pid-reuse.ts';

const children: ChildProcess[] = [];
after(() => {
  for (const child of children) child.kill('SIGKILL');
});

async function sleeper(): Promise<ChildProcess> {
  const child = spawn('sleep', ['1000'], { stdio: 'ignore' });
  children.push(child);
  await once(child, 'spawn');
  return child;
}

async function killed(child: ChildProcess): Promise<void> {
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
  // Reaped by node on exit: /proc/PID is gone, the pid free for another process.
  await waitFor(() => readProcStat(child.pid as number) === null, 5000, 'the pid to be free');
}

describe('a held /proc/PID/stat descriptor', () => {
  test('reads fail once its process is gone', async () => {
    const child = await sleeper();
    const file = ProcFile.open(`/proc/${child.pid}/stat`);
    assert.ok(file?.isHeld);
    const before = readStatFile(file);
    assert.ok(before && before.startTicks > 0 && before.ppid === process.pid, JSON.stringify(before));
    await killed(child);
    assert.equal(file.read(), -1);
    assert.equal(readStatFile(file), null);
    file.close();
  });

  test('a new process with the same pid never shows through it', {
    skip: !canChoosePid() && 'cannot set ns_last_pid here (needs root in the pid namespace)',
  }, async () => {
    await withReusedPid(5, async () => {
      const first = await sleeper();
      const pid = first.pid as number;
      const file = ProcFile.open(`/proc/${pid}/stat`) as ProcFile;
      assert.ok(readStatFile(file));
      await killed(first);
      const second = await tailAt(pid, children);
      if (!second) {
        file.close();
        return false;
      }
      // By path, the pid is the new process; through the old descriptor, nothing. (Its start
      // time may even equal the old one's: both can start within one 10 ms clock tick.)
      await waitFor(() => readProcStat(pid)?.comm === 'tail', 5000, 'tail to run at the old pid');
      assert.ok(readUsage(pid), 'a process lives at the pid');
      assert.equal(file.read(), -1);
      assert.equal(readStatFile(file), null);
      file.close();
      second.kill('SIGKILL');
      return true;
    });
  });

  test('past the budget a file is opened at each read, and every descriptor is given back', async () => {
    const base = heldProcFiles();
    const files: ProcFile[] = [];
    for (let i = 0; i < HELD_LIMIT + 5; i++) files.push(ProcFile.open('/proc/self/stat') as ProcFile);
    assert.equal(heldProcFiles(), HELD_LIMIT);
    const last = files.at(-1) as ProcFile;
    assert.equal(last.isHeld, false);
    assert.equal(readStatFile(last)?.startTicks, readProcStat(process.pid)?.startTicks);
    for (const file of files) file.close();
    assert.equal(heldProcFiles(), base);
    assert.equal(last.read(), -1, 'a closed file reads nothing, not even by path');
  });
});

describe('parsing a stat line in place', () => {
  test('a comm with spaces and parentheses', async () => {
    const child = spawn(process.execPath, ['-e', "process.title = 'a) b (c'; setInterval(() => {}, 1000)"], {
      stdio: 'ignore',
    });
    children.push(child);
    const pid = child.pid as number;
    const stat = await waitFor(
      () => {
        const s = readProcStat(pid);
        return s?.comm === 'a) b (c' && s;
      },
      10_000,
      'the title to be the comm',
    );
    const n = readOnce(`/proc/${pid}/stat`);
    const fields = parseStatRead(n);
    assert.ok(fields, 'parsed');
    // The state may differ between two reads (running, then asleep); the rest may not.
    assert.match(fields.state, /^[A-Za-z]$/);
    assert.equal(fields.ppid, process.pid);
    assert.equal(fields.startTicks, stat.startTicks);
    assert.ok(fields.rssPages > 0 && fields.threads > 1, JSON.stringify(fields));
    child.kill('SIGKILL');
  });

  test('every process on this host parses the same as the string parser', () => {
    let compared = 0;
    for (const name of readdirSync('/proc')) {
      const pid = Number(name);
      if (!Number.isSafeInteger(pid) || pid <= 0) continue;
      const n = readOnce(`/proc/${pid}/stat`);
      const other = readProcStat(pid);
      if (n <= 0 || !other) continue;
      const fields = parseStatRead(n);
      assert.ok(fields, `pid ${pid}`);
      assert.equal(fields.startTicks, other.startTicks, `pid ${pid}`);
      assert.equal(fields.ppid, other.ppid, `pid ${pid}`);
      compared++;
    }
    assert.ok(compared > 0);
  });

  test('a truncated line is not parsed', () => {
    const n = readOnce('/proc/self/stat');
    assert.ok(parseStatRead(n));
    assert.equal(parseStatRead(30), null);
  });
});

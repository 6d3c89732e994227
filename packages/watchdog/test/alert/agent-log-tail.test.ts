import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { FakeClock } from '@vigil/shared/testing';
import { MAX_TAIL_LINE_CHARS, readLogTail } from '../../src/alert/agent-log-tail.ts';
import { IncidentLogTail } from '../../src/alert/incident-log-tail.ts';

const dir = mkdtempSync(join(tmpdir(), 'vg-tail-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('the agent log tail for alerts', () => {
  test('the last N lines of a large file, read from its end, oldest first', async () => {
    const file = join(dir, 'big.log');
    const lines = Array.from({ length: 200_000 }, (_, i) => `line ${i}`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    assert.deepEqual(await readLogTail(file, 3), ['line 199997', 'line 199998', 'line 199999']);
  });

  test('pino lines read as time, level and message; raw stderr as written; controls neutralised', async () => {
    const file = join(dir, 'mixed.log');
    const pino = JSON.stringify({ level: 50, time: Date.UTC(2026, 0, 2, 3, 4, 5), msg: 'disk gone' });
    writeFileSync(file, `${pino}\nTypeError: x is not a function\u001b]0;pwned\u0007\n${'y'.repeat(5000)}\n`);
    const tail = await readLogTail(file, 20);
    assert.equal(tail[0], '2026-01-02T03:04:05.000Z ERROR disk gone');
    assert.match(tail[1] ?? '', /^TypeError: x is not a function\\x1b\]0;pwned\\x07$/);
    assert.equal(tail[2]?.length, MAX_TAIL_LINE_CHARS);
    for (const line of tail) assert.ok(![...line].some((c) => (c.codePointAt(0) as number) < 0x20));
  });

  test("a restart's start mark after the fault ends the tail; earlier marks are not shown", async () => {
    const file = join(dir, 'restarted.log');
    const mark = (time: number) =>
      JSON.stringify({ level: 30, time, msg: 'agent output follows', vigilMark: 'agent-start' });
    writeFileSync(
      file,
      [mark(1000), 'booting', 'Error: died', mark(5000), 'new agent says hello', ''].join('\n'),
    );
    assert.deepEqual(await readLogTail(file, 10, 4000), ['booting', 'Error: died']);
  });

  test("lines before an earlier start are an earlier agent's: not in the tail", async () => {
    const file = join(dir, 'two-runs.log');
    const mark = (time: number) =>
      JSON.stringify({ level: 30, time, msg: 'agent output follows', vigilMark: 'agent-start' });
    writeFileSync(file, ['old agent line', mark(1000), 'this agent line', 'Error: died', ''].join('\n'));
    assert.deepEqual(await readLogTail(file, 10, 4000), ['this agent line', 'Error: died']);
  });

  test('a time no Date can hold leaves its line as written, and the rest of the tail stands', async () => {
    const file = join(dir, 'odd-time.log');
    const odd = JSON.stringify({ level: 30, time: 1e300, msg: 'x' });
    writeFileSync(file, `before\n${odd}\nafter\n`);
    assert.deepEqual(await readLogTail(file, 10), ['before', odd, 'after']);
  });

  test('a link, a FIFO or no file gives no lines, and never blocks', async () => {
    const target = join(dir, 'secret');
    writeFileSync(target, 'secret line\n');
    const link = join(dir, 'link.log');
    symlinkSync(target, link);
    assert.deepEqual(await readLogTail(link, 5), []);
    const fifo = join(dir, 'fifo.log');
    execFileSync('mkfifo', [fifo]);
    assert.deepEqual(await readLogTail(fifo, 5), []);
    assert.deepEqual(await readLogTail(join(dir, 'absent.log'), 5), []);
  });

  test('one read per incident, shared by its alerts; none when off', async () => {
    const file = join(dir, 'agent.log');
    writeFileSync(file, 'a\nb\nc\n');
    const clock = new FakeClock();
    const tails = new IncidentLogTail(file, 2, clock);
    const recorded: string[][] = [];
    tails.capture('inc-1', Date.now(), (lines) => recorded.push(lines));
    assert.deepEqual(await tails.forIncident('inc-1'), ['b', 'c']);
    // Later alerts of the incident carry the lines read when it opened, not what came after.
    writeFileSync(file, 'written after the fault\n');
    assert.deepEqual(await tails.forIncident('inc-1'), ['b', 'c']);
    assert.deepEqual(recorded, [['b', 'c']]);
    assert.equal(await tails.forIncident('inc-unknown'), undefined);
    const off = new IncidentLogTail(null, 20, clock);
    off.capture('inc-2', 0, () => assert.fail('no read under systemd'));
    assert.equal(await off.forIncident('inc-2'), undefined);
  });
});

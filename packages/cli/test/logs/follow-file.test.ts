import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  copyFileSync,
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { createLogger, LogFileDestination, openAppend } from '@vigil/shared';
import { waitFor } from '@vigil/shared/testing';
import { AgentLogRotator } from '../../../watchdog/src/agent-log/rotate-agent-log.ts';
import { FileFollower } from '../../src/logs/follow-file.ts';
import { append, type LogHome, makeLogHome, T0 } from './support/log-home.ts';

let home: LogHome;
let follower: FileFollower | undefined;

beforeEach(() => {
  home = makeLogHome();
});
afterEach(async () => {
  await follower?.stop();
  home.remove();
});

async function until(lines: string[], wanted: string, timeoutMs = 3000): Promise<void> {
  await waitFor(
    () => lines.includes(wanted),
    timeoutMs,
    () => `${wanted}; got ${JSON.stringify(lines)}`,
    5,
  );
}

describe('following a file by polling alone (fs.watch silent)', () => {
  test('appends, rotation, truncation and a split line, each line once and whole', async () => {
    const lines: string[] = [];
    const errors: Error[] = [];
    follower = new FileFollower({
      path: home.agentLog,
      watch: false,
      pollMs: 20,
      onLine: (line) => lines.push(line),
      onError: (error) => errors.push(error),
    });
    await follower.start();
    writeFileSync(home.agentLog, 'one\n');
    await until(lines, 'one');
    append(home.agentLog, 'two-');
    append(home.agentLog, 'halves\n');
    await until(lines, 'two-halves');
    renameSync(home.agentLog, `${home.agentLog}.1`);
    append(`${home.agentLog}.1`, 'old-last\n');
    writeFileSync(home.agentLog, 'new-first\n');
    await until(lines, 'new-first');
    truncateSync(home.agentLog, 0);
    append(home.agentLog, 'again\n');
    await until(lines, 'again');
    assert.deepEqual(lines, ['one', 'two-halves', 'old-last', 'new-first', 'again']);
    assert.deepEqual(errors, []);
  });
});

describe('following across a copytruncate (how agent.log is rotated)', () => {
  test('the file grown back past where we were: the unread lines come from .1, then the new file from its start', async () => {
    const lines: string[] = [];
    // Neither watch nor poll: each read is one explicit check, so the order of events is exact.
    follower = new FileFollower({
      path: home.agentLog,
      watch: false,
      pollMs: 3_600_000,
      onLine: (l) => lines.push(l),
    });
    writeFileSync(home.agentLog, 'a1\na2\n');
    await follower.start();
    await until(lines, 'a2');
    append(home.agentLog, 'a3-unread\na4-unread\n');
    copyFileSync(home.agentLog, `${home.agentLog}.1`);
    truncateSync(home.agentLog, 0);
    append(home.agentLog, `${'b-after-rotation-with-more-bytes\n'.repeat(3)}b-last\n`);
    follower.check();
    await until(lines, 'b-last');
    assert.deepEqual(lines, [
      'a1',
      'a2',
      'a3-unread',
      'a4-unread',
      'b-after-rotation-with-more-bytes',
      'b-after-rotation-with-more-bytes',
      'b-after-rotation-with-more-bytes',
      'b-last',
    ]);
  });

  test('a copy that left older output out is searched for where we were, not read by offset', async () => {
    const lines: string[] = [];
    follower = new FileFollower({
      path: home.agentLog,
      watch: false,
      pollMs: 3_600_000,
      onLine: (l) => lines.push(l),
    });
    const old = Array.from({ length: 50 }, (_, i) => `{"seq":${i},"t":${T0 + i}}`);
    writeFileSync(home.agentLog, `${old.slice(0, 40).join('\n')}\n`);
    await follower.start();
    await until(lines, old[39] as string);
    append(home.agentLog, `${old.slice(40).join('\n')}\n`);
    // The copy keeps only the newest part, so its offsets are not the original's.
    writeFileSync(`${home.agentLog}.1`, `${old.slice(30).join('\n')}\n`);
    truncateSync(home.agentLog, 0);
    append(
      home.agentLog,
      `${'{"seq":"new","pad":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}\n'.repeat(30)}end\n`,
    );
    follower.check();
    await until(lines, 'end');
    assert.deepEqual(lines.slice(0, 50), old, 'every old line once, in order');
    assert.equal(lines.length, 50 + 31);
  });

  test('a truncate with no copy beside it (`: > file`) just starts again from the new start', async () => {
    const lines: string[] = [];
    follower = new FileFollower({
      path: home.agentLog,
      watch: false,
      pollMs: 3_600_000,
      onLine: (l) => lines.push(l),
    });
    writeFileSync(home.agentLog, 'x1\n');
    await follower.start();
    await until(lines, 'x1');
    truncateSync(home.agentLog, 0);
    append(home.agentLog, 'y1-longer-than-before\n');
    follower.check();
    await until(lines, 'y1-longer-than-before');
    assert.deepEqual(lines, ['x1', 'y1-longer-than-before']);
  });

  test('a truncate and regrowth between two reads of one pass is seen: nothing is read from the wrong place', async () => {
    const lines: string[] = [];
    follower = new FileFollower({
      path: home.agentLog,
      watch: false,
      pollMs: 3_600_000,
      onLine: (l) => {
        lines.push(l);
        // The writer truncates and writes again while the follower is between two reads.
        if (l === 'x1') {
          truncateSync(home.agentLog, 0);
          append(home.agentLog, 'y1-longer-than-before\n');
        }
      },
    });
    writeFileSync(home.agentLog, 'x1\n');
    await follower.start();
    await until(lines, 'y1-longer-than-before');
    follower.check();
    await follower.stop();
    assert.deepEqual(lines, ['x1', 'y1-longer-than-before']);
  });

  test("a real writer and vigil's rotator: every line kept on disk is followed once, in order", async () => {
    const seen: number[] = [];
    follower = new FileFollower({
      path: home.agentLog,
      pollMs: 50,
      onLine: (l) => seen.push((JSON.parse(l) as { seq: number }).seq),
    });
    writeFileSync(home.agentLog, '');
    await follower.start();
    const logger = createLogger({ component: 'watchdog', level: 'silent' });
    const rotator = new AgentLogRotator({
      path: home.agentLog,
      maxBytes: 16 * 1024,
      keep: 100,
      logger,
      settleMs: 50,
    });
    rotator.start();
    const writer = spawn(
      process.execPath,
      [
        '-e',
        `const { writeSync } = require('node:fs'); let i = 0;
         const t = setInterval(() => { for (let n = 0; n < 20; n++) writeSync(1, JSON.stringify({ seq: i++, pad: 'p'.repeat(60) }) + '\\n'); if (i >= 6000) clearInterval(t); }, 2);`,
      ],
      { stdio: ['ignore', openAppend(home.agentLog), 'inherit'] },
    );
    await once(writer, 'exit');
    await rotator.close();
    const onDisk = readdirSync(dirname(home.agentLog))
      .filter((n) => n.startsWith('agent.log'))
      .flatMap((n) => readFileSync(join(dirname(home.agentLog), n), 'utf8').split('\n'))
      .filter((l) => l !== '')
      .map((l) => (JSON.parse(l) as { seq: number }).seq);
    const last = Math.max(...onDisk);
    const deadline = Date.now() + 10_000;
    while (!seen.includes(last)) {
      if (Date.now() > deadline) throw new Error(`the follower did not reach seq ${last}; at ${seen.at(-1)}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.ok(rotator.rotations >= 5, `rotations: ${rotator.rotations}`);
    for (let i = 1; i < seen.length; i++)
      assert.ok((seen[i] as number) > (seen[i - 1] as number), `seq ${seen[i]} after ${seen[i - 1]}`);
    const followed = new Set(seen);
    const missed = onDisk.filter((s) => !followed.has(s));
    assert.deepEqual(missed, [], 'a line that is on disk was not followed');
  });
});

describe("following watchdog.log rotated by the logger's own destination", () => {
  test('every line once, in order, across renames to .1', async () => {
    const lines: string[] = [];
    follower = new FileFollower({ path: home.watchdogLog, pollMs: 20, onLine: (l) => lines.push(l) });
    await follower.start();
    const destination = new LogFileDestination({
      path: home.watchdogLog,
      rotate: { maxBytes: 16 * 1024, keep: 3 },
    });
    const written: string[] = [];
    for (let i = 0; i < 600; i++) {
      const line = JSON.stringify({ seq: i, pad: 'q'.repeat(80) });
      written.push(line);
      destination.write(`${line}\n`);
      // The writer waits for the follower every ten lines (a rotation is 160 lines): a follower
      // more than one rotation behind loses lines by design, as tail -F does, and a stalled test
      // process on a busy host must not turn that into a failure.
      if (i % 10 === 9) await until(lines, line, 10_000);
    }
    destination.close();
    await until(lines, written.at(-1) as string, 10_000);
    assert.ok(existsSync(`${home.watchdogLog}.3`), 'rotated several times');
    assert.deepEqual(lines, written);
  });
});

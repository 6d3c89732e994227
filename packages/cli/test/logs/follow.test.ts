import assert from 'node:assert/strict';
import { closeSync, openSync, renameSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { waitFor } from '@vigil/shared/testing';
import {
  append,
  type Follower,
  type LogHome,
  makeLogHome,
  pinoLine,
  records,
  spawnLogs,
  T0,
} from './support/log-home.ts';

let home: LogHome;
const followers: Follower[] = [];

function follow(args: string[] = []): Follower {
  const follower = spawnLogs(['-f', ...args], { VIGIL_HOME: home.home });
  followers.push(follower);
  return follower;
}

const has =
  (...wanted: string[]) =>
  (messages: string[]) =>
    wanted.every((msg) => messages.includes(msg));

beforeEach(() => {
  home = makeLogHome();
  writeFileSync(home.watchdogLog, pinoLine('watchdog', T0, 'w-initial'));
  writeFileSync(home.agentLog, pinoLine('agent', T0 + 1, 'a-initial'));
});

afterEach(async () => {
  await Promise.all(followers.splice(0).map((follower) => follower.kill()));
  home.remove();
});

describe('vigil logs -f', () => {
  test('prints the tail, then lines appended to either file, and exits 0 on SIGINT', async () => {
    const logs = follow();
    await logs.waitFor(has('w-initial', 'a-initial'), 'the tail');
    append(home.agentLog, pinoLine('agent', Date.now(), 'a-new'));
    append(home.agentLog, 'Error: printed by the agent\n');
    append(home.watchdogLog, pinoLine('watchdog', Date.now(), 'w-new'));
    await logs.waitFor(has('a-new', 'w-new', 'Error: printed by the agent'), 'the appended lines');
    const raw = records(logs.stdout()).find((r) => r.msg === 'Error: printed by the agent');
    assert.deepEqual([raw?.component, raw?.level, raw?.raw], ['agent', 50, true]);
    logs.child.kill('SIGINT');
    assert.equal(await logs.exited, 0);
    assert.deepEqual(logs.messages().slice(0, 2), ['w-initial', 'a-initial']);
    assert.equal(logs.messages().length, 5, 'nothing printed twice');
  });

  test('a raw line that arrives while following takes the time it was read, not the logged line before it', async () => {
    const logs = follow();
    await logs.waitFor(has('a-initial'), 'the tail');
    const before = Date.now();
    append(home.agentLog, 'Node.js v20.18.0\n');
    append(home.agentLog, pinoLine('agent', T0 + 2, 'a-after'));
    await logs.waitFor(has('Node.js v20.18.0', 'a-after'), 'the raw line');
    const shown = records(logs.stdout());
    const raw = shown.find((r) => r.msg === 'Node.js v20.18.0');
    assert.ok((raw?.time as number) >= before, `raw line at ${raw?.time}, appended after ${before}`);
    assert.equal(raw?.level, 40);
    // Stamped later than the logged line after it, it still prints before it: one file keeps its order.
    assert.deepEqual(
      shown.map((r) => r.msg).filter((m) => m !== 'w-initial'),
      ['a-initial', 'Node.js v20.18.0', 'a-after'],
    );
  });

  test('keeps following across rotation without losing the old file’s tail, and exits 0 on SIGTERM', async () => {
    const logs = follow();
    await logs.waitFor(has('a-initial'), 'the tail');
    append(home.agentLog, pinoLine('agent', Date.now(), 'a-before-rotation'));
    // The writer keeps its descriptor: what it writes after the rename lands in the old file.
    const writer = openSync(home.agentLog, 'a');
    renameSync(home.agentLog, `${home.agentLog}.1`);
    writeSync(writer, pinoLine('agent', Date.now(), 'a-old-file-last'));
    closeSync(writer);
    writeFileSync(home.agentLog, pinoLine('agent', Date.now(), 'a-new-file-first'));
    await logs.waitFor(
      has('a-before-rotation', 'a-old-file-last', 'a-new-file-first'),
      'both sides of the rotation',
    );
    append(home.agentLog, pinoLine('agent', Date.now(), 'a-new-file-second'));
    await logs.waitFor(has('a-new-file-second'), 'a line in the new file');
    const agent = logs.messages().filter((msg) => msg.startsWith('a-'));
    assert.deepEqual(agent, [
      'a-initial',
      'a-before-rotation',
      'a-old-file-last',
      'a-new-file-first',
      'a-new-file-second',
    ]);
    logs.child.kill('SIGTERM');
    assert.equal(await logs.exited, 0);
  });

  test('after truncation, prints the file again from its start', async () => {
    append(home.watchdogLog, pinoLine('watchdog', T0 + 2, 'w-padding-so-the-file-shrinks'.repeat(3)));
    const logs = follow();
    await logs.waitFor(has('w-initial'), 'the tail');
    truncateSync(home.watchdogLog, 0);
    append(home.watchdogLog, pinoLine('watchdog', Date.now(), 'w-after-truncate'));
    await logs.waitFor(has('w-after-truncate'), 'the line written after truncation');
    append(home.watchdogLog, pinoLine('watchdog', Date.now(), 'w-after-truncate-2'));
    await logs.waitFor(has('w-after-truncate-2'), 'the next line');
    assert.equal(logs.messages().filter((msg) => msg === 'w-after-truncate').length, 1);
  });

  test('a line written in two parts is printed once, whole', async () => {
    const logs = follow();
    await logs.waitFor(has('w-initial', 'a-initial'), 'the tail');
    const line = pinoLine('agent', Date.now(), 'a-split-in-two', { detail: 'x'.repeat(200) });
    // One write: once the marker is printed, the follower has read the first half too.
    append(home.agentLog, pinoLine('agent', Date.now(), 'a-marker') + line.slice(0, 90));
    await logs.waitFor(has('a-marker'), 'the marker line');
    assert.ok(!logs.messages().includes('a-split-in-two'));
    assert.equal(records(logs.stdout()).filter((r) => r.raw === true).length, 0, 'no fragment printed');
    append(home.agentLog, line.slice(90));
    await logs.waitFor(has('a-split-in-two'), 'the completed line');
    append(home.agentLog, pinoLine('agent', Date.now(), 'a-after'));
    await logs.waitFor(has('a-after'), 'the line after it');
    const printed = records(logs.stdout());
    assert.equal(printed.filter((r) => r.raw === true).length, 0, 'no fragment printed as a raw line');
    assert.equal(printed.filter((r) => r.msg === 'a-split-in-two').length, 1);
  });

  test('-n N prints the last N, then only new lines', async () => {
    append(
      home.watchdogLog,
      pinoLine('watchdog', T0 + 2, 'w-second') + pinoLine('watchdog', T0 + 3, 'w-third'),
    );
    const logs = follow(['-n', '1', '--unit', 'watchdog']);
    await logs.waitFor(has('w-third'), 'the tail');
    append(home.watchdogLog, pinoLine('watchdog', Date.now(), 'w-new'));
    append(home.agentLog, pinoLine('agent', Date.now(), 'a-not-shown'));
    await logs.waitFor(has('w-new'), 'the new line');
    assert.deepEqual(logs.messages(), ['w-third', 'w-new']);
  });

  test('waits for log files that do not exist yet, then follows them from their start', async () => {
    const other = makeLogHome();
    try {
      const logs = spawnLogs(['-f'], { VIGIL_HOME: other.home });
      followers.push(logs);
      await waitForText(logs, /waiting for them/);
      writeFileSync(other.agentLog, pinoLine('agent', Date.now(), 'a-first-ever'));
      await logs.waitFor(has('a-first-ever'), 'the first line of a new file');
    } finally {
      other.remove();
    }
  });
});

async function waitForText(follower: Follower, pattern: RegExp, timeoutMs = 5000): Promise<void> {
  await waitFor(
    () => pattern.test(follower.stderr()),
    timeoutMs,
    () => `${pattern} on stderr: ${follower.stderr()}`,
  );
}

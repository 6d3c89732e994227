import assert from 'node:assert/strict';
import { renameSync, truncateSync, writeFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { FileFollower } from '../../src/logs/follow-file.ts';
import { append, type LogHome, makeLogHome } from './support/log-home.ts';

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
  const deadline = Date.now() + timeoutMs;
  while (!lines.includes(wanted)) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${wanted}; got ${JSON.stringify(lines)}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
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

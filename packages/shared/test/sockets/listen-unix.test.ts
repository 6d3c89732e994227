import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import type { Server, Socket } from 'node:net';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { isAnswering, listenUnix } from '@vigil/shared';
import { type ConnectAttempt, connectWithRetry } from '@vigil/shared/client';
import { waitFor } from '../../src/testing/wait-for.ts';

const root = mkdtempSync('/tmp/vg-sock-');
const servers: Server[] = [];
after(() => {
  for (const s of servers) s.close();
  rmSync(root, { recursive: true, force: true });
});

async function listen(path: string, options: Partial<Parameters<typeof listenUnix>[1]> = {}) {
  const server = await listenUnix(path, { onConnection: (s: Socket) => s.end(), ...options });
  servers.push(server);
  return server;
}

const mode = (path: string) => statSync(path).mode & 0o777;

describe('listenUnix', () => {
  test('creates the directory 0700 and the socket 0600', async () => {
    const dir = join(root, 'a', 'run');
    await listen(join(dir, 'control.sock'));
    assert.equal(mode(dir), 0o700);
    assert.ok(lstatSync(join(dir, 'control.sock')).isSocket());
    assert.equal(mode(join(dir, 'control.sock')), 0o600);
  });

  test('the read-only status socket is 0660 in a group-enterable directory', async () => {
    const dir = join(root, 'b');
    await listen(join(dir, 'status.sock'), { mode: 0o660, dirMode: 0o750 });
    assert.equal(mode(join(dir, 'status.sock')), 0o660);
    assert.equal(mode(dir), 0o750);
  });

  test('an existing directory that is too open is tightened', async () => {
    const dir = join(root, 'c');
    mkdirSync(dir);
    chmodSync(dir, 0o777);
    await listen(join(dir, 's.sock'));
    assert.equal(mode(dir), 0o700);
  });

  test('a stale socket left by a killed process is replaced', async () => {
    const dir = join(root, 'd');
    mkdirSync(dir, { mode: 0o700 });
    const path = join(dir, 'agent.sock');
    const child = spawn(process.execPath, [
      '-e',
      `require('net').createServer().listen(${JSON.stringify(path)}, () => console.log('up'))`,
    ]);
    await once(child.stdout, 'data');
    child.kill('SIGKILL');
    await once(child, 'exit');
    assert.ok(existsSync(path), 'the dead process left its socket file behind');
    assert.equal(await isAnswering(path), false);
    await listen(path);
    assert.equal(await isAnswering(path), true);
  });

  test('a live socket is never stolen: the second listener fails naming the path', async () => {
    const path = join(root, 'e', 'control.sock');
    await listen(path);
    await assert.rejects(listen(path), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'VIGIL_SOCKET_IN_USE');
      assert.ok(error.message.includes(path), error.message);
      return true;
    });
    assert.equal(await isAnswering(path), true, 'the first server still answers');
  });

  test('a regular file in the way is not deleted', async () => {
    const dir = join(root, 'f');
    mkdirSync(dir);
    const path = join(dir, 'control.sock');
    writeFileSync(path, 'precious');
    await assert.rejects(listen(path), { code: 'VIGIL_SOCKET_NOT_SOCKET' });
    assert.ok(lstatSync(path).isFile());
  });

  test('a path over the sun_path limit is refused with the limit named', async () => {
    const path = join(root, 'x'.repeat(120), 's.sock');
    await assert.rejects(listen(path), /over the limit of 107/);
  });
});

describe('connectWithRetry', () => {
  test('keeps trying, reports each attempt, and connects once the server comes back', async () => {
    const path = join(root, 'g', 'agent.sock');
    const attempts: ConnectAttempt[] = [];
    const connecting = connectWithRetry(path, {
      minDelayMs: 10,
      maxDelayMs: 40,
      onAttempt: (a) => attempts.push(a),
    });
    await waitFor(() => attempts.length >= 3, 5000, 'three failed attempts');
    assert.deepEqual(
      attempts.slice(0, 3).map((a) => a.attempt),
      [1, 2, 3],
    );
    assert.match(attempts[0]?.error.message ?? '', /cannot connect to .*agent\.sock: ENOENT/);
    await listen(path);
    const socket = await connecting;
    assert.ok(!socket.destroyed);
    socket.destroy();
  });

  test('stops when aborted', async () => {
    const controller = new AbortController();
    let attempts = 0;
    const connecting = connectWithRetry(join(root, 'nowhere.sock'), {
      minDelayMs: 5,
      signal: controller.signal,
      // Aborted once it is really retrying, not after a guessed time.
      onAttempt: () => {
        if (++attempts === 2) controller.abort();
      },
    });
    await assert.rejects(connecting);
    assert.equal(attempts, 2);
  });
});

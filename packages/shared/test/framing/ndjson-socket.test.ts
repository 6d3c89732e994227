import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { attachNdjson, type VigilError } from '@vigil/shared';
import { waitFor } from '../../src/testing/wait-for.ts';

describe('attachNdjson over a real Unix socket', () => {
  let dir: string;
  let server: Server;
  let path: string;
  const accepted: Socket[] = [];

  before(async () => {
    dir = mkdtempSync('/tmp/vg-nd-');
    path = join(dir, 's.sock');
    server = createServer((s) => accepted.push(s));
    server.listen(path);
    await once(server, 'listening');
  });
  after(() => {
    for (const s of accepted) s.destroy();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function pair(options: { maxFrameBytes?: number } = {}) {
    const client = createConnection(path);
    await once(client, 'connect');
    await new Promise((r) => setImmediate(r));
    const serverSide = accepted.at(-1) as Socket;
    const messages: unknown[] = [];
    const errors: VigilError[] = [];
    const conn = attachNdjson(serverSide, {
      ...options,
      onMessage: (m) => messages.push(m),
      onFrameError: (e) => errors.push(e),
    });
    return { client, serverSide, conn, messages, errors };
  }

  test('parses values written in odd chunkings', async () => {
    const { client, messages } = await pair();
    client.write('{"a":1}\n{"b"');
    client.write(':[1,2]}\n');
    client.write('"str"\n');
    await waitFor(() => messages.length === 3);
    assert.deepEqual(messages, [{ a: 1 }, { b: [1, 2] }, 'str']);
    client.destroy();
  });

  test('an oversize line closes the connection with a typed error', async () => {
    const { client, serverSide, errors } = await pair({ maxFrameBytes: 1024 });
    const closed = once(client, 'close');
    client.write('x'.repeat(5000));
    await closed;
    assert.equal(errors.length, 1);
    assert.equal(errors[0]?.code, 'VIGIL_FRAME_TOO_LARGE');
    assert.ok(serverSide.destroyed);
  });

  test('a line that is not JSON drops the peer', async () => {
    const { client, errors } = await pair();
    const closed = once(client, 'close');
    client.write('{"a":1}\nthis is not json\n');
    await closed;
    assert.equal(errors[0]?.code, 'VIGIL_FRAME_INVALID_JSON');
    assert.match(errors[0]?.message ?? '', /this is not json/);
  });

  test('send writes one line per value', async () => {
    const { client, conn } = await pair();
    let received = '';
    client.on('data', (d) => {
      received += d.toString();
    });
    conn.send({ type: 'welcome' });
    conn.send({ n: 2 });
    await waitFor(() => received.split('\n').length === 3);
    assert.equal(received, '{"type":"welcome"}\n{"n":2}\n');
    client.destroy();
  });
});

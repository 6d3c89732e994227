import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { attachNdjson, type VigilError } from '@vigil/shared';
import { waitFor } from '../../src/testing/wait-for.ts';

/**
 * A Unix socket server for one describe block: `connect()` gives a client and the server's end
 * of that very connection (each accepted socket handed out once).
 */
function unixServer(prefix: string) {
  let dir: string;
  let server: Server;
  let path: string;
  const accepted: Socket[] = [];
  const claimed = new Set<Socket>();

  before(async () => {
    dir = mkdtempSync(prefix);
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

  return async function connect() {
    const client = createConnection(path);
    await once(client, 'connect');
    const unclaimed = () => accepted.find((s) => !s.destroyed && !claimed.has(s));
    await waitFor(() => unclaimed() !== undefined);
    const serverSide = unclaimed() as Socket;
    claimed.add(serverSide);
    return { client, serverSide };
  };
}

describe('attachNdjson over a real Unix socket', () => {
  const connect = unixServer('/tmp/vg-nd-');

  async function pair(options: { maxFrameBytes?: number } = {}) {
    const { client, serverSide } = await connect();
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

describe('attachNdjson rest and wake', () => {
  const connect = unixServer('/tmp/vg-nd-rest-');

  /**
   * Proof that the loop has polled since `client` wrote: a second connection's line, written
   * after, has been read. A socket still being read would have had its bytes read by then.
   */
  async function loopHasPolled(): Promise<void> {
    const { client, serverSide } = await connect();
    const got: unknown[] = [];
    attachNdjson(serverSide, { onMessage: (m) => got.push(m) });
    client.write('"marker"\n');
    await waitFor(() => got.length === 1);
    for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
    client.destroy();
  }

  async function write(client: Socket, text: string): Promise<void> {
    await new Promise<void>((resolve, reject) => client.write(text, (e) => (e ? reject(e) : resolve())));
  }

  test('a resting socket reads nothing, not even into the stream buffer; wake delivers what queued', async () => {
    const { client, serverSide } = await connect();
    const messages: unknown[] = [];
    const conn = attachNdjson(serverSide, { onMessage: (m) => messages.push(m) });
    client.write('{"n":0}\n');
    await waitFor(() => messages.length === 1);
    const readBefore = serverSide.bytesRead;
    conn.rest();
    await write(client, '{"n":1}\n{"n":2}\n{"n":3}\n');
    await loopHasPolled();
    assert.equal(serverSide.bytesRead, readBefore, 'no byte left the kernel while resting');
    assert.equal(serverSide.readableLength, 0);
    assert.equal(messages.length, 1);
    conn.wake();
    await waitFor(() => messages.length === 4);
    assert.deepEqual(messages, [{ n: 0 }, { n: 1 }, { n: 2 }, { n: 3 }]);
    client.destroy();
  });

  test('pause() alone keeps reading into the stream (what rest is for)', async () => {
    const { client, serverSide } = await connect();
    const messages: unknown[] = [];
    attachNdjson(serverSide, { onMessage: (m) => messages.push(m) });
    client.write('{"n":0}\n');
    await waitFor(() => messages.length === 1);
    const readBefore = serverSide.bytesRead;
    serverSide.pause();
    await write(client, '{"n":1}\n');
    await waitFor(() => serverSide.bytesRead > readBefore, 5000, 'a paused socket reads on');
    assert.equal(messages.length, 1, 'read, but not delivered');
    client.destroy();
  });

  test('rest right after attach, many cycles, and a rest before any read: nothing is lost or stuck', async () => {
    const { client, serverSide } = await connect();
    const messages: unknown[] = [];
    const conn = attachNdjson(serverSide, { onMessage: (m) => messages.push(m) });
    conn.rest();
    for (let i = 0; i < 20; i++) {
      await write(client, `{"i":${i}}\n`);
      conn.wake();
      await waitFor(() => messages.length === i + 1);
      conn.rest();
      conn.rest();
    }
    conn.wake();
    conn.wake();
    await write(client, '"last"\n');
    await waitFor(() => messages.length === 21);
    assert.deepEqual(messages.at(-1), 'last');
    client.destroy();
  });

  test('a peer that closes while the socket rests is seen closing on wake', async () => {
    const { client, serverSide } = await connect();
    const messages: unknown[] = [];
    const conn = attachNdjson(serverSide, { onMessage: (m) => messages.push(m) });
    let closed = false;
    serverSide.on('close', () => {
      closed = true;
    });
    conn.rest();
    await write(client, '"bye"\n');
    // end(): the FIN is sent; the client's own 'close' needs the server's answer, which waits.
    client.end();
    await once(client, 'finish');
    await loopHasPolled();
    assert.equal(closed, false, 'unseen while resting');
    conn.wake();
    await waitFor(() => closed, 5000, 'the close after wake');
    assert.deepEqual(messages, ['bye']);
  });

  test('drain reads what queued synchronously and the socket keeps resting', async () => {
    const { client, serverSide } = await connect();
    const messages: unknown[] = [];
    const conn = attachNdjson(serverSide, { onMessage: (m) => messages.push(m) });
    client.write('"first"\n');
    await waitFor(() => messages.length === 1);
    conn.rest();
    await write(client, '{"n":1}\n{"n":');
    await write(client, '2}\n');
    assert.equal(conn.drain(), true, 'all that queued was read');
    assert.deepEqual(messages, ['first', { n: 1 }, { n: 2 }], 'handled before drain returned');
    assert.equal(conn.drain(), true, 'nothing queued: still up to date');
    assert.equal(messages.length, 3, 'a drain with nothing queued returns at once');
    await write(client, '{"n":3}\n');
    await loopHasPolled();
    assert.equal(messages.length, 3, 'still resting: the loop did not read the new line');
    conn.drain();
    assert.deepEqual(messages.at(-1), { n: 3 });
    client.destroy();
  });

  test('drain reads at most maxBytes a call, then the loop reads the rest, in order, and a peer that closed is seen', async () => {
    const { client, serverSide } = await connect();
    const messages: unknown[] = [];
    const conn = attachNdjson(serverSide, { onMessage: (m) => messages.push(m) });
    let closed = false;
    serverSide.on('close', () => {
      closed = true;
    });
    conn.rest();
    const lines = Array.from({ length: 600 }, (_, i) => `{"i":${i},"pad":"${'x'.repeat(80)}"}\n`);
    await write(client, lines.join(''));
    client.end();
    await once(client, 'finish');
    assert.equal(conn.drain(16 * 1024), false, 'more is queued than one call reads');
    assert.ok(messages.length > 0 && messages.length < 600, `part of it: ${messages.length}`);
    // Not up to date: the socket was woken, and the loop reads the rest (never left to the next look).
    await waitFor(() => messages.length === 600, 5000, `the rest, from the loop: ${messages.length}`);
    assert.deepEqual(
      messages.map((m) => (m as { i: number }).i),
      Array.from({ length: 600 }, (_, i) => i),
    );
    await waitFor(() => closed, 5000, 'close after the end of the stream');
  });

  test('wake then rest in one tick, then drain: every line comes out, in order', async () => {
    const { client, serverSide } = await connect();
    const messages: unknown[] = [];
    const conn = attachNdjson(serverSide, { onMessage: (m) => messages.push(m) });
    for (let round = 0; round < 10; round++) {
      conn.rest();
      conn.wake();
      conn.rest();
      await write(client, `{"r":${round},"k":0}\n{"r":${round},"k":1}\n`);
      await loopHasPolled();
      // The stream asked for a read again: the loop reads it, so this drain is not up to date.
      if (conn.drain()) assert.equal(messages.length, (round + 1) * 2, 'true only when all was handled');
      await new Promise((r) => setImmediate(r));
      await waitFor(() => messages.length === (round + 1) * 2, 5000, `round ${round}: ${messages.length}`);
    }
    assert.deepEqual(
      messages.map((m) => `${(m as { r: number }).r}.${(m as { k: number }).k}`),
      Array.from({ length: 20 }, (_, i) => `${Math.floor(i / 2)}.${i % 2}`),
    );
    client.destroy();
  });

  test('rest and wake on a destroyed socket do nothing', async () => {
    const { client, serverSide } = await connect();
    const conn = attachNdjson(serverSide, { onMessage: () => {} });
    serverSide.destroy();
    conn.rest();
    conn.wake();
    assert.equal(conn.drain(), false);
    assert.ok(serverSide.destroyed);
    client.destroy();
  });
});

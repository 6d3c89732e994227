// The control server bounds what clients can make it do: connections per socket, requests in
// flight and per second, unread output, idle connections; and a burst of requests is started one
// per turn of the event loop, so the watchdog's timers run in between. Real sockets throughout.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { CONNECTION_REFUSAL_ID, type ControlRequest, createLogger } from '@vigil/shared';
import { sendRequest } from '@vigil/shared/client';
import { waitFor } from '@vigil/shared/testing';
import { type ControlLimits, ControlServer } from '../../src/control/control-server.ts';

const dir = mkdtempSync('/tmp/vg-ctl-');
after(() => rmSync(dir, { recursive: true, force: true }));
const logger = createLogger({ component: 'watchdog', file: join(dir, 'watchdog.log'), level: 'silent' });

let serial = 0;
async function server(
  handle: (request: ControlRequest) => Promise<unknown>,
  limits: Partial<ControlLimits> = {},
): Promise<{ server: ControlServer; control: string; status: string }> {
  const n = ++serial;
  const control = join(dir, `c${n}.sock`);
  const status = join(dir, `s${n}.sock`);
  const s = new ControlServer({
    controlPath: control,
    statusPath: status,
    dirMode: 0o700,
    logger,
    handle,
    limits,
  });
  await s.start();
  return { server: s, control, status };
}

class Client {
  readonly socket: Socket;
  readonly answers: { id: string; ok: boolean; error?: { message: string } }[] = [];
  closed = false;
  constructor(path: string, options: { read?: boolean } = {}) {
    this.socket = createConnection(path);
    let buffer = '';
    if (options.read !== false) {
      this.socket.on('data', (d) => {
        buffer += d;
        for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
          this.answers.push(JSON.parse(buffer.slice(0, nl)));
          buffer = buffer.slice(nl + 1);
        }
      });
    }
    this.socket.on('close', () => {
      this.closed = true;
    });
    this.socket.on('error', () => {});
  }
  async connected(): Promise<this> {
    await once(this.socket, 'connect');
    return this;
  }
  send(count = 1, op = 'status'): void {
    let text = '';
    for (let i = 0; i < count; i++) text += `${JSON.stringify({ v: 1, type: 'request', id: `r${i}`, op })}\n`;
    this.socket.write(text);
  }
}

describe('control server limits', () => {
  test('connections past maxClients on one socket are refused at once, saying why; the other socket is its own', async () => {
    const { server: s, control, status } = await server(async () => 'ok', { maxClients: 3 });
    try {
      const held = await Promise.all([1, 2, 3].map(() => new Client(status).connected()));
      await waitFor(() => s.clients === 3, 5000, 'three clients held');
      const extra = new Client(status);
      await waitFor(() => extra.closed, 5000, 'the fourth connection closed');
      assert.equal(extra.answers.length, 1, 'one refusal, for the connection');
      const busy = extra.answers[0] as { id: string; ok: boolean; error: { code: string; message: string } };
      assert.equal(busy.id, CONNECTION_REFUSAL_ID);
      assert.equal(busy.ok, false);
      assert.equal(busy.error.code, 'VIGIL_CONTROL_BUSY');
      assert.match(busy.error.message, /busy: 3 connections are open on its status socket/);
      // What a client of the contract gets for its request: that refusal, not a closed socket.
      const asked = await sendRequest(status, { op: 'status' }, 5000);
      assert.equal(asked.ok, false);
      assert.equal(!asked.ok && asked.error.code, 'VIGIL_CONTROL_BUSY');
      const other = await new Client(control).connected();
      other.send();
      await waitFor(() => other.answers.length === 1, 5000, 'the control socket still answers');
      held[0]?.send();
      await waitFor(() => held[0]?.answers.length === 1, 5000, 'a held connection still answers');
      for (const c of [...held, other]) c.socket.destroy();
    } finally {
      s.close();
    }
  });

  test('more requests in flight than maxInFlight drop the connection', async () => {
    const { server: s, status } = await server(() => new Promise(() => {}), { maxInFlight: 2 });
    try {
      const c = await new Client(status).connected();
      c.send(2);
      await new Promise((r) => setImmediate(r));
      assert.equal(c.closed, false);
      c.send(1);
      await waitFor(() => c.closed, 5000, 'dropped at the third request in flight');
    } finally {
      s.close();
    }
  });

  test('requests over the per-connection rate are refused, saying so', async () => {
    const { server: s, status } = await server(async () => 'ok', {
      perSecond: 1,
      burst: 3,
      maxInFlight: 100,
    });
    try {
      const c = await new Client(status).connected();
      c.send(8);
      await waitFor(() => c.answers.length === 8, 5000, 'eight answers');
      assert.equal(c.answers.filter((a) => a.ok).length, 3, 'the burst is served');
      const refused = c.answers.filter((a) => !a.ok);
      assert.equal(refused.length, 5);
      assert.match(refused[0]?.error?.message ?? '', /too many requests on one connection/);
      assert.ok(
        refused.every((a) => a.id.startsWith('r')),
        'a refusal carries the request id',
      );
    } finally {
      s.close();
    }
  });

  test('a client that stops reading its answers is cut off, and its memory with it', async () => {
    const big = 'x'.repeat(256 * 1024);
    const { server: s, status } = await server(async () => big, {
      stallMs: 200,
      maxInFlight: 4,
      perSecond: 1000,
      burst: 1000,
    });
    try {
      const slow = await new Client(status, { read: false }).connected();
      slow.socket.pause();
      // 1 MiB of answers: under maxQueuedBytes, more than a socket buffer holds.
      slow.send(4);
      await waitFor(() => s.clients === 0, 5000, 'the slow reader dropped');
    } finally {
      s.close();
    }
  });

  test('an idle connection is closed; one waiting for an answer is not', async () => {
    let release: (() => void) | undefined;
    const { server: s, status } = await server(
      (request) =>
        request.op === 'history'
          ? new Promise((resolve) => (release = () => resolve('late')))
          : Promise.resolve('ok'),
      { idleMs: 100 },
    );
    try {
      const idle = await new Client(status).connected();
      const waiting = await new Client(status).connected();
      waiting.send(1, 'history');
      await waitFor(() => idle.closed, 5000, 'the idle connection closed');
      assert.equal(waiting.closed, false, 'a request in flight keeps its connection');
      release?.();
      await waitFor(() => waiting.answers.length === 1, 5000, 'the late answer arrives');
    } finally {
      s.close();
    }
  });

  test('a burst of requests is started one per turn: timers run in between', async () => {
    let started = 0;
    let startedWhenTimerRan = -1;
    const { server: s, status } = await server(
      async () => {
        if (started++ === 0) setTimeout(() => (startedWhenTimerRan = started), 0);
        // Work of a few ms, as a history fold is: back to back, 60 of them block for a while.
        const until = performance.now() + 2;
        while (performance.now() < until) {}
        return 'ok';
      },
      { maxInFlight: 100, perSecond: 1000, burst: 1000 },
    );
    try {
      const c = await new Client(status).connected();
      c.send(60);
      await waitFor(() => c.answers.length === 60, 5000, 'sixty answers');
      assert.ok(
        startedWhenTimerRan > 0 && startedWhenTimerRan < 10,
        `the timer ran after ${startedWhenTimerRan} requests`,
      );
    } finally {
      s.close();
    }
  });
});

import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { after, test } from 'node:test';
import { systemClock } from '@vigil/shared';
import { createTcpPortCheck } from '../../src/checks/tcp-port.ts';
import { checkConfig } from './support/check-config.ts';

const signal = () => AbortSignal.timeout(5000);
const servers: net.Server[] = [];
after(() => Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve)))));

async function listen(): Promise<number> {
  const server = net.createServer((socket) => socket.destroy());
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as net.AddressInfo).port;
}

/** A port that was just free: listened on, then closed. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test('an open port is ok, with the connect latency as the value', async () => {
  const port = await listen();
  const outcome = await createTcpPortCheck(checkConfig({ type: 'tcp', name: 'tcp', port }), systemClock).run(
    signal(),
  );
  assert.equal(outcome.status, 'ok');
  assert.equal(outcome.unit, 'ms');
  assert.ok((outcome.value ?? -1) >= 0);
  assert.match(outcome.summary, new RegExp(`^127\\.0\\.0\\.1:${port} accepts connections \\(\\d+ ms\\)$`));
});

test('a closed port is critical and says why', async () => {
  const port = await closedPort();
  const outcome = await createTcpPortCheck(checkConfig({ type: 'tcp', name: 'tcp', port }), systemClock).run(
    signal(),
  );
  assert.equal(outcome.status, 'critical');
  assert.equal(outcome.summary, `127.0.0.1:${port} ECONNREFUSED`);
});

test('an abort while connecting is critical', async () => {
  // Aborted in the same tick: the connect event cannot have come yet.
  const port = await listen();
  const check = createTcpPortCheck(checkConfig({ type: 'tcp', name: 'tcp', port }), systemClock);
  assert.match((await check.run(AbortSignal.abort())).summary, /not tried: aborted$/);
  const controller = new AbortController();
  const running = check.run(controller.signal);
  controller.abort();
  const outcome = await running;
  assert.equal(outcome.status, 'critical');
  assert.match(outcome.summary, /no connection after \d+ ms$/);
});

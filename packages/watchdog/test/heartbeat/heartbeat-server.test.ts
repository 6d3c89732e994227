import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createLogger, type HeartbeatMessage } from '@vigil/shared';
import { waitFor } from '@vigil/shared/testing';
import { type AgentSession, HeartbeatServer } from '../../src/heartbeat/heartbeat-server.ts';

const dir = mkdtempSync('/tmp/vg-hbs-');
after(() => rmSync(dir, { recursive: true, force: true }));

const AGENT_PID = 4242;

function hello(pid = AGENT_PID) {
  return { v: 1, type: 'hello', pid, version: '0.1.0', startTime: 1 };
}
function beat(seq: number): HeartbeatMessage {
  return {
    v: 1,
    type: 'heartbeat',
    seq,
    mono: seq,
    lagMs: 1,
    heapUsedBytes: 1,
    rssBytes: 1,
    progress: seq,
    health: { status: 'ok' },
  };
}

class Client {
  socket: Socket;
  lines: Record<string, unknown>[] = [];
  closed = false;
  constructor(path: string) {
    this.socket = createConnection(path);
    let buffer = '';
    this.socket.on('data', (d) => {
      buffer += d;
      let nl = buffer.indexOf('\n');
      while (nl >= 0) {
        this.lines.push(JSON.parse(buffer.slice(0, nl)));
        buffer = buffer.slice(nl + 1);
        nl = buffer.indexOf('\n');
      }
    });
    this.socket.on('close', () => {
      this.closed = true;
    });
    this.socket.on('error', () => {});
  }
  ready() {
    return once(this.socket, 'connect');
  }
  send(value: unknown) {
    this.socket.write(`${JSON.stringify(value)}\n`);
  }
}

describe('heartbeat server', () => {
  const path = join(dir, 'agent.sock');
  const beats: number[] = [];
  const hellos: AgentSession[] = [];
  const closedSessions: AgentSession[] = [];
  let server: HeartbeatServer;
  let agent: Client;

  before(async () => {
    server = new HeartbeatServer({
      path,
      heartbeatIntervalMs: 250,
      logger: createLogger({ component: 'watchdog', level: 'silent' }),
      admit: (pid) =>
        pid === AGENT_PID || pid === AGENT_PID + 1 ? undefined : `pid ${pid} is not the supervised agent`,
      onHello: (s) => hellos.push(s),
      onHeartbeat: (_s, b) => beats.push(b.seq),
      onResult: () => {},
      onSessionClosed: (s) => closedSessions.push(s),
      helloTimeoutMs: 300,
      maxMessagesPerSecond: 200,
    });
    await server.start();
    agent = new Client(path);
    await agent.ready();
    agent.send(hello());
    await waitFor(() => agent.lines.length === 1, 3000, 'welcome');
  });
  after(() => {
    agent.socket.destroy();
    server.close();
  });

  test('the agent is welcomed and its heartbeats delivered', async () => {
    assert.deepEqual(agent.lines[0], {
      v: 1,
      type: 'welcome',
      accepted: true,
      watchdogPid: process.pid,
      heartbeatIntervalMs: 250,
    });
    agent.send(beat(1));
    agent.send(beat(2));
    await waitFor(() => beats.length === 2, 3000, 'two beats');
    assert.equal(server.session()?.hello.pid, AGENT_PID);
  });

  async function misbehave(what: string, act: (c: Client) => void) {
    const dropped = server.dropped;
    const intruder = new Client(path);
    await intruder.ready();
    act(intruder);
    await waitFor(() => intruder.closed, 3000, `${what}: the peer is dropped`);
    assert.ok(
      server.dropped > dropped || intruder.lines.some((l) => l.accepted === false),
      `${what} counted`,
    );
    // The real session carries on.
    const before = beats.length;
    agent.send(beat(100 + before));
    await waitFor(() => beats.length === before + 1, 3000, `${what}: the agent's heartbeat still arrives`);
    assert.equal(server.session()?.hello.pid, AGENT_PID);
    assert.equal(closedSessions.length, 0);
  }

  test('garbage drops that peer only', () =>
    misbehave('garbage', (c) => c.socket.write('this is not json\n')));
  test('an oversize line drops that peer only', () =>
    misbehave('oversize', (c) => c.socket.write('x'.repeat(100 * 1024))));
  test('binary noise drops that peer only', () =>
    misbehave('binary', (c) => c.socket.write(Buffer.from([0xff, 0xfe, 0x00, 0x0a]))));
  test('10 KB of nested brackets drops that peer only', () =>
    misbehave('deep nesting', (c) =>
      c.socket.write(`{"v":1,"type":${'['.repeat(5000)}${']'.repeat(5000)}}\n`.repeat(30)),
    ));
  test('a heartbeat before hello drops that peer only', () => misbehave('no hello', (c) => c.send(beat(1))));
  test('silence past the hello timeout drops that peer', () => misbehave('silent', () => {}));
  test('a flood drops that peer only', () =>
    misbehave('flood', (c) => {
      const line = `${JSON.stringify({ v: 1, type: 'nonsense' })}\n`;
      c.socket.write(line.repeat(2000));
    }));
  test('a hello from a process that is not the agent is refused with a reason', async () => {
    await misbehave('stranger', (c) => c.send(hello(999)));
  });
  test('a hello from another admitted pid cannot take over a live session', async () => {
    const other = new Client(path);
    await other.ready();
    other.send(hello(AGENT_PID + 1));
    await waitFor(() => other.lines.length === 1, 3000, 'refusal');
    assert.equal(other.lines[0]?.accepted, false);
    assert.match(String(other.lines[0]?.reason), /another agent \(pid 4242\) holds the session/);
    assert.equal(server.session()?.hello.pid, AGENT_PID);
  });

  test('the same agent reconnecting replaces its old connection', async () => {
    const again = new Client(path);
    await again.ready();
    again.send(hello());
    await waitFor(() => again.lines.length === 1 && agent.closed, 3000, 'new session, old connection closed');
    assert.equal(again.lines[0]?.accepted, true);
    assert.equal(closedSessions.length, 0, 'a replaced session is not reported as closed');
    const count = hellos.length;
    again.socket.destroy();
    await waitFor(() => closedSessions.length === 1, 3000, 'session closed');
    assert.equal(server.session(), undefined);
    assert.equal(hellos.length, count);
    agent = again;
  });
});

describe('heartbeat server flood limit', () => {
  test('beats queued during the watchdog’s own pause are a burst, not a flood; a sustained flood is', async () => {
    const { FakeClock } = await import('@vigil/shared/testing');
    const clock = new FakeClock();
    const path = join(dir, 'burst.sock');
    const beats: number[] = [];
    const closed: AgentSession[] = [];
    const server = new HeartbeatServer({
      path,
      clock,
      heartbeatIntervalMs: 250,
      logger: createLogger({ component: 'watchdog', level: 'silent' }),
      admit: () => undefined,
      onHello: () => {},
      onHeartbeat: (_s, b) => beats.push(b.seq),
      onResult: () => {},
      onSessionClosed: (s) => closed.push(s),
      maxMessagesPerSecond: 200,
    });
    await server.start();
    const agent = new Client(path);
    try {
      await agent.ready();
      agent.send(hello());
      await waitFor(() => agent.lines.length === 1, 3000, 'welcome');
      // A minute at 4 beats a second while the watchdog was stopped, read in one go; and a
      // wall-clock step of an hour back on top, which must not matter.
      clock.advance(60_000);
      clock.stepWall(-3_600_000);
      agent.socket.write(Array.from({ length: 240 }, (_, i) => `${JSON.stringify(beat(i))}\n`).join(''));
      await waitFor(() => beats.length === 240, 3000, '240 queued beats delivered');
      assert.equal(closed.length, 0);
      // Far more than 10 s of the allowed rate, at once: a flood.
      agent.socket.write(Array.from({ length: 3000 }, (_, i) => `${JSON.stringify(beat(i))}\n`).join(''));
      await waitFor(() => agent.closed, 3000, 'the flooding peer is dropped');
      assert.equal(closed.length, 1);
    } finally {
      agent.socket.destroy();
      server.close();
    }
  });
});

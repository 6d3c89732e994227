import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Agent, createAgent } from '@vigil/agent-sdk';
import { PROTOCOL_VERSION } from '@vigil/shared';
import { ChildProcesses, paced, quietLogger, waitFor } from '@vigil/shared/testing';
import { FakeWatchdog } from './support/fake-watchdog.ts';

const packageVersion = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

describe('heartbeat client', () => {
  const agents: Agent[] = [];
  const watchdogs: FakeWatchdog[] = [];

  async function setup(options: Parameters<typeof createAgent>[0] = {}) {
    const watchdog = await FakeWatchdog.start();
    watchdogs.push(watchdog);
    const agent = createAgent({ socketPath: watchdog.path, logger: quietLogger(), env: {}, ...options });
    agents.push(agent);
    return { watchdog, agent };
  }

  const children = new ChildProcesses();
  after(() => children.killAll());

  afterEach(async () => {
    await children.killAll();
    await Promise.all(agents.splice(0).map((a) => a.stop()));
    await Promise.all(watchdogs.splice(0).map((w) => w.dispose()));
  });

  test('says hello with pid, version, start time and node version', async () => {
    const { watchdog, agent } = await setup({ name: 'svc' });
    agent.start();
    const [hello] = await watchdog.waitForHellos(1);
    assert.equal(hello?.v, PROTOCOL_VERSION);
    assert.equal(hello?.pid, process.pid);
    assert.equal(hello?.version, packageVersion);
    assert.equal(hello?.name, 'svc');
    assert.equal(hello?.node, process.version);
    assert.equal(hello?.startTime, Math.round(performance.timeOrigin));
    assert.equal(hello?.stallFile, undefined, 'no report dir, no sentinel');
    await waitFor(() => agent.connected, 2000, 'connected');
  });

  test('an explicit version wins over the package version', async () => {
    const { watchdog, agent } = await setup({ version: '9.9.9-test' });
    agent.start();
    const [hello] = await watchdog.waitForHellos(1);
    assert.equal(hello?.version, '9.9.9-test');
  });

  test('heartbeats come at the welcome interval with growing seq and progress', async () => {
    const { watchdog, agent } = await setup({ heartbeatIntervalMs: 5000 });
    watchdog.heartbeatIntervalMs = 40;
    agent.setState('ready');
    agent.setHealth({ status: 'warn', summary: 'disk 85%' });
    agent.start();
    await watchdog.waitForBeats(3);
    agent.tick(5);
    const later = await watchdog.nextBeat((b) => b.progress === 5);
    const beats = watchdog.heartbeats;
    for (let i = 1; i < beats.length; i++) {
      assert.ok((beats[i]?.seq ?? 0) > (beats[i - 1]?.seq ?? 0), 'seq grows');
      assert.ok((beats[i]?.progress ?? 0) >= (beats[i - 1]?.progress ?? 0), 'progress never shrinks');
    }
    assert.equal(later.state, 'ready');
    assert.deepEqual(later.health, { status: 'warn', summary: 'disk 85%' });
    assert.ok(later.rssBytes > 0 && later.heapUsedBytes > 0);
    assert.ok(later.lagMs >= 0);
  });

  test('a health function is asked at every beat, and one that throws reports failing', async () => {
    const { watchdog, agent } = await setup();
    let calls = 0;
    agent.setHealth(() => {
      calls++;
      if (calls > 2) throw new Error('probe broke');
      return { status: 'ok' };
    });
    agent.start();
    const beat = await watchdog.nextBeat((b) => b.health.status === 'failing');
    assert.match(beat.health.summary ?? '', /health callback threw: probe broke/);
  });

  test('reconnects and says hello again after the watchdog restarts', async () => {
    const { watchdog, agent } = await setup();
    const disconnected = new Promise<void>((resolve) => agent.once('disconnected', resolve));
    agent.start();
    await watchdog.waitForBeats(1);
    await watchdog.close();
    await disconnected;
    assert.equal(agent.connected, false);
    await watchdog.listen();
    await watchdog.waitForHellos(2);
    const beatsBefore = watchdog.heartbeats.length;
    await watchdog.waitForBeats(beatsBefore + 2);
    assert.ok(agent.connected);
  });

  test('starts without a watchdog and connects once one appears', async () => {
    const watchdog = new FakeWatchdog();
    watchdogs.push(watchdog);
    const agent = createAgent({ socketPath: watchdog.path, logger: quietLogger(), env: {} });
    agents.push(agent);
    agent.start();
    await watchdog.listen();
    await watchdog.waitForHellos(1);
    await watchdog.waitForBeats(1);
  });

  test('a refused welcome is reported and retried', async () => {
    const { watchdog, agent } = await setup();
    watchdog.refuse = 'another agent is connected';
    const reasons: string[] = [];
    agent.on('refused', (reason) => reasons.push(reason));
    agent.start();
    await waitFor(() => reasons.length >= 1, 3000, 'refusal');
    assert.equal(reasons[0], 'another agent is connected');
    assert.equal(agent.connected, false);
    watchdog.refuse = undefined;
    await watchdog.waitForHellos(2, 5000);
    await watchdog.waitForBeats(1);
    assert.equal(watchdog.heartbeats.length > 0, true);
    assert.ok(agent.connected);
  });

  test('invalid messages from the watchdog are ignored, not fatal', async () => {
    const { watchdog, agent } = await setup();
    agent.start();
    await watchdog.waitForBeats(1);
    watchdog.sendRaw({ v: 1, type: 'command', id: 'x', cmd: 'explode' });
    watchdog.sendRaw({ hello: 'there' });
    watchdog.sendRaw({ v: 99, type: 'welcome' });
    const pong = await watchdog.command({ cmd: 'ping' });
    assert.deepEqual(pong.did, ['pong']);
    assert.equal(watchdog.hellos.length, 1, 'still the same connection');
  });

  test('stop() ends the connection and the heartbeats', async () => {
    const { watchdog, agent } = await setup();
    agent.start();
    await watchdog.waitForBeats(2);
    const started = performance.now();
    await agent.stop();
    assert.ok(performance.now() - started < paced(1000), 'stop is quick');
    assert.equal(agent.connected, false);
    const count = watchdog.heartbeats.length;
    await waitFor(() => watchdog.sockets.every((s) => s.destroyed || s.readableEnded), 2000, 'socket closed');
    assert.equal(watchdog.heartbeats.length, count);
  });

  test('the hello names the stall file when a report dir is set', async () => {
    const watchdog = await FakeWatchdog.start();
    watchdogs.push(watchdog);
    const reportDir = `${watchdog.dir}/reports`;
    const agent = createAgent({ socketPath: watchdog.path, logger: quietLogger(), env: {}, reportDir });
    agents.push(agent);
    agent.start();
    const [hello] = await watchdog.waitForHellos(1);
    assert.equal(hello?.stallFile, `${reportDir}/stall-${process.pid}.json`);
    assert.equal(agent.stallFile, hello?.stallFile);
  });

  test('a process that calls stop() exits by itself, faults and sentinel included', async () => {
    const watchdog = await FakeWatchdog.start();
    watchdogs.push(watchdog);
    const fixture = fileURLToPath(new URL('./fixtures/stop-then-exit.mjs', import.meta.url));
    const { exited, stdout } = children.spawn(fixture, {
      VIGIL_AGENT_SOCKET: watchdog.path,
      VIGIL_REPORT_DIR: join(watchdog.dir, 'reports'),
    });
    await watchdog.waitForHellos(1, 10_000);
    await waitFor(() => stdout().includes('"msg":"stopped"'), 10_000, 'stop() to finish');
    const stoppedAt = Date.now();
    assert.deepEqual(await exited, { code: 0, signal: null });
    assert.ok(Date.now() - stoppedAt < paced(2000), 'nothing kept the process alive');
  });
});

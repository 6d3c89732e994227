import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { type Agent, createAgent } from '@vigil/agent-sdk';
import type { CommandMessage } from '@vigil/shared';
import { paced, quietLogger, waitFor } from '@vigil/shared/testing';
import { FakeWatchdog } from './support/fake-watchdog.ts';

describe('recovery commands', () => {
  const agents: Agent[] = [];
  const watchdogs: FakeWatchdog[] = [];

  async function connected(options: Parameters<typeof createAgent>[0] = {}) {
    const watchdog = await FakeWatchdog.start();
    watchdogs.push(watchdog);
    const agent = createAgent({ socketPath: watchdog.path, logger: quietLogger(), env: {}, ...options });
    agents.push(agent);
    return { watchdog, agent };
  }

  async function go(watchdog: FakeWatchdog, agent: Agent) {
    agent.start();
    await watchdog.waitForBeats(1);
  }

  afterEach(async () => {
    await Promise.all(agents.splice(0).map((a) => a.stop()));
    await Promise.all(watchdogs.splice(0).map((w) => w.dispose()));
  });

  test('soft handlers run in registration order and their lines come back in did', async () => {
    const { watchdog, agent } = await connected();
    const order: string[] = [];
    agent.onRecover('soft', async ({ level, reason, signal }) => {
      order.push(`first:${level}:${reason}:${signal.aborted}`);
      return 'cache cleared';
    });
    agent.onRecover('soft', () => {
      order.push('second');
      return ['pool reset', 'dns flushed'];
    });
    agent.onRecover('soft', () => {
      order.push('third');
    });
    agent.onRecover('medium', () => {
      order.push('medium');
    });
    await go(watchdog, agent);
    const result = await watchdog.command({ cmd: 'recover', level: 'soft', reason: 'rss high' });
    assert.deepEqual(order, ['first:soft:rss high:false', 'second', 'third']);
    assert.equal(result.ok, true);
    assert.deepEqual(result.did, ['cache cleared', 'pool reset', 'dns flushed']);
    assert.equal(result.error, undefined);
    assert.ok(result.durationMs >= 0);
  });

  test('a throwing handler makes the result fail while the others still run', async () => {
    const { watchdog, agent } = await connected();
    const ran: number[] = [];
    agent.onRecover('medium', () => {
      ran.push(1);
      return 'paused checks';
    });
    agent.onRecover('medium', () => {
      ran.push(2);
      throw new Error('queue is locked');
    });
    agent.onRecover('medium', async () => {
      ran.push(3);
      return 'shed load';
    });
    await go(watchdog, agent);
    const result = await watchdog.command({ cmd: 'recover', level: 'medium' });
    assert.deepEqual(ran, [1, 2, 3]);
    assert.equal(result.ok, false);
    assert.deepEqual(result.did, ['paused checks', 'shed load']);
    assert.match(result.error ?? '', /medium recover handler 2 failed: queue is locked/);
  });

  test('a handler past the deadline is aborted and the result says so', async () => {
    const { watchdog, agent } = await connected({ commandTimeoutMs: 200 });
    let aborted = false;
    agent.onRecover('soft', () => 'quick one');
    agent.onRecover(
      'soft',
      ({ signal }) =>
        new Promise<string>((resolve) => {
          signal.addEventListener('abort', () => {
            aborted = true;
            resolve('too late');
          });
        }),
    );
    await go(watchdog, agent);
    const result = await watchdog.command({ cmd: 'recover', level: 'soft' });
    assert.equal(result.ok, false);
    assert.match(result.error ?? '', /did not finish within 200 ms/);
    assert.deepEqual(result.did, ['quick one']);
    assert.equal(aborted, true);
  });

  test('stop() cuts a stuck handler short and aborts its signal', async () => {
    const { watchdog, agent } = await connected();
    let signal: AbortSignal | undefined;
    agent.onRecover('soft', (context) => {
      signal = context.signal;
      return new Promise<void>(() => {});
    });
    await go(watchdog, agent);
    watchdog.send({ cmd: 'recover', level: 'soft' });
    const seen = await waitFor(() => signal, 2000, 'the handler to start');
    const started = performance.now();
    await agent.stop();
    assert.ok(performance.now() - started < paced(1000), 'stop did not wait for the handler');
    assert.equal(seen.aborted, true);
  });

  test('with no handlers, soft collects garbage and medium degrades', async () => {
    const { watchdog, agent } = await connected();
    agent.setState('ready');
    await go(watchdog, agent);
    const soft = await watchdog.command({ cmd: 'recover', level: 'soft' });
    assert.equal(soft.ok, true);
    const gcExposed = typeof (globalThis as { gc?: unknown }).gc === 'function';
    assert.match(soft.did[0] ?? '', gcExposed ? /^gc: freed [\d.]+ MiB$/ : /gc: not exposed/);
    const medium = await watchdog.command({ cmd: 'recover', level: 'medium' });
    assert.deepEqual(medium.did, ['no medium handlers registered: nothing shed', 'state: degraded']);
    assert.equal(agent.state, 'degraded');
    await watchdog.nextBeat((b) => b.state === 'degraded');
  });

  test('restore runs its handlers and makes the agent ready again', async () => {
    const { watchdog, agent } = await connected();
    agent.onRestore(() => 'checks resumed');
    await go(watchdog, agent);
    await watchdog.command({ cmd: 'recover', level: 'medium' });
    const result = await watchdog.command({ cmd: 'restore' });
    assert.equal(result.ok, true);
    assert.deepEqual(result.did, ['checks resumed', 'state: ready']);
    assert.equal(agent.state, 'ready');
    await watchdog.nextBeat((b) => b.state === 'ready');
  });

  test('restoreAfterMs restores by itself once recover commands stop', async () => {
    const { watchdog, agent } = await connected({ restoreAfterMs: 150 });
    await go(watchdog, agent);
    await watchdog.command({ cmd: 'recover', level: 'medium' });
    assert.equal(agent.state, 'degraded');
    await watchdog.nextBeat((b) => b.state === 'ready', 3000);
  });

  test('ping answers pong', async () => {
    const { watchdog, agent } = await connected();
    await go(watchdog, agent);
    const result = await watchdog.command({ cmd: 'ping' });
    assert.deepEqual({ ok: result.ok, did: result.did }, { ok: true, did: ['pong'] });
  });

  test('maintenance calls its handlers with the end of the window', async () => {
    const { watchdog, agent } = await connected();
    const windows: number[] = [];
    agent.onMaintenance((untilMs) => windows.push(untilMs));
    await go(watchdog, agent);
    const until = Date.UTC(2030, 0, 1);
    const started = await watchdog.command({ cmd: 'maintenance', untilMs: until });
    const ended = await watchdog.command({ cmd: 'maintenance', untilMs: 0 });
    assert.deepEqual(windows, [until, 0]);
    assert.deepEqual(started.did, ['maintenance: until 2030-01-01T00:00:00.000Z']);
    assert.deepEqual(ended.did, ['maintenance: ended']);
  });

  test('every command is also emitted as an event', async () => {
    const { watchdog, agent } = await connected();
    const seen: CommandMessage[] = [];
    agent.on('command', (command) => seen.push(command));
    await go(watchdog, agent);
    const id = watchdog.send({ cmd: 'ping' });
    await watchdog.result(id);
    assert.equal(seen[0]?.id, id);
  });

  test("a service's own medium handler degrades it too, and a failed medium does not", async () => {
    const { watchdog, agent } = await connected({ name: 'billing' });
    let fail = true;
    agent.onRecover('medium', () => {
      if (fail) throw new Error('queue would not pause');
      return 'import queue paused';
    });
    agent.setState('ready');
    await go(watchdog, agent);
    const failed = await watchdog.command({ cmd: 'recover', level: 'medium' });
    assert.equal(failed.ok, false);
    assert.equal(agent.state, 'ready');
    fail = false;
    const medium = await watchdog.command({ cmd: 'recover', level: 'medium' });
    assert.deepEqual(medium.did, ['import queue paused', 'state: degraded']);
    await watchdog.nextBeat((b) => b.state === 'degraded');
  });

  test('the lifecycle is the one writer: a restore after the stop began never reports ready', async () => {
    const { watchdog, agent } = await connected();
    let release: () => void = () => {};
    agent.onRestore(
      () =>
        new Promise<string>((resolve) => {
          release = () => resolve('resumed');
        }),
    );
    const states: string[] = [];
    agent.on('state', (to) => states.push(to));
    agent.setState('ready');
    await go(watchdog, agent);
    await watchdog.command({ cmd: 'recover', level: 'medium' });
    const id = watchdog.send({ cmd: 'restore' });
    await waitFor(() => states.includes('degraded') || undefined, 2000, 'degraded');
    const stopping = agent.stop();
    release();
    await stopping;
    await watchdog.result(id).catch(() => undefined);
    assert.deepEqual(states, ['ready', 'degraded', 'stopping', 'stopped']);
    assert.equal(agent.lifecycle, 'stopped');
    // setState cannot bring a stopped agent back either.
    agent.setState('ready');
    assert.equal(agent.lifecycle, 'stopped');
  });

  test('onRecover refuses an unknown level', async () => {
    const { agent } = await connected();
    assert.throws(() => agent.onRecover('hard' as 'soft', () => {}), /"soft" or "medium"/);
  });
});

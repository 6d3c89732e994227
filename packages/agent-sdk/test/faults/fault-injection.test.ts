// Faults that leave the process running normally, tested in-process against a real socket.
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { type Agent, createAgent } from '@vigil/agent-sdk';
import { isVigilError } from '@vigil/shared';
import { paced, quietLogger, waitFor } from '@vigil/shared/testing';
import { FakeWatchdog } from '../support/fake-watchdog.ts';

describe('fault injection', () => {
  const agents: Agent[] = [];
  const watchdogs: FakeWatchdog[] = [];

  async function running(faultsEnabled: boolean) {
    const watchdog = await FakeWatchdog.start();
    watchdogs.push(watchdog);
    const agent = createAgent({ socketPath: watchdog.path, logger: quietLogger(), env: {}, faultsEnabled });
    agents.push(agent);
    agent.start();
    await watchdog.waitForBeats(1);
    return { watchdog, agent };
  }

  /** The longest silence between heartbeats that arrived after `from` (ms since epoch). */
  /** The longest gap between beats as the agent stamped them (its own monotonic clock). */
  function longestGap(watchdog: FakeWatchdog, from: number): number {
    const times = watchdog.beats.filter((b) => b.at >= from).map((b) => b.beat.mono);
    let gap = 0;
    for (let i = 1; i < times.length; i++) gap = Math.max(gap, (times[i] ?? 0) - (times[i - 1] ?? 0));
    return gap;
  }

  afterEach(async () => {
    await Promise.all(agents.splice(0).map((a) => a.stop()));
    await Promise.all(watchdogs.splice(0).map((w) => w.dispose()));
  });

  test('refused unless enabled, with the error code in the result', async () => {
    const { watchdog, agent } = await running(false);
    const result = await watchdog.command({ cmd: 'fault', fault: { name: 'hang' } });
    assert.equal(result.ok, false);
    assert.match(result.error ?? '', /^VIGIL_FAULTS_DISABLED: fault injection is disabled/);
    await assert.rejects(agent.injectFault({ name: 'leak' }), (error: unknown) => {
      assert.ok(isVigilError(error, 'VIGIL_FAULTS_DISABLED'));
      assert.match(error.hint ?? '', /agent\.faults\.enabled: true/);
      return true;
    });
    await watchdog.nextBeat();
  });

  test('stop-heartbeat silences heartbeats for its seconds while commands are still answered', async () => {
    const { watchdog } = await running(true);
    const result = await watchdog.command({ cmd: 'fault', fault: { name: 'stop-heartbeat', seconds: 0.6 } });
    assert.equal(result.ok, true);
    assert.match(result.did[0] ?? '', /heartbeats stopped for 0.6 s/);
    const pong = await watchdog.command({ cmd: 'ping' });
    assert.deepEqual(pong.did, ['pong']);
    // The agent paused before it answered, so every beat after the answer came after the pause.
    const after = await waitFor(
      () => {
        const seen = watchdog.afterResult(result.id);
        return seen && seen.beats.length > 0 ? seen : undefined;
      },
      3000,
      'a beat after the pause',
    );
    const silence = (after.beats[0]?.at ?? 0) - after.resultAt;
    assert.ok(silence >= 450, `silence was ${silence} ms`);
  });

  test('stop-heartbeat without seconds lasts until clear', async () => {
    const { watchdog } = await running(true);
    await watchdog.command({ cmd: 'fault', fault: { name: 'stop-heartbeat' } });
    const count = watchdog.heartbeats.length;
    // Ten intervals pass, proved by a command answered after them; no beat may come meanwhile.
    const silentUntil = Date.now() + 500;
    await waitFor(() => Date.now() >= silentUntil || undefined, 2000, 'ten intervals');
    await watchdog.command({ cmd: 'ping' });
    assert.equal(watchdog.heartbeats.length, count);
    const cleared = await watchdog.command({ cmd: 'fault', fault: { name: 'clear' } });
    assert.deepEqual(cleared.did, ['stop-heartbeat: heartbeats resumed']);
    await watchdog.nextBeat();
  });

  test('slow-heartbeat stretches the interval until cleared', async () => {
    const { watchdog } = await running(true);
    await watchdog.command({ cmd: 'fault', fault: { name: 'slow-heartbeat', intervalMs: 300 } });
    const from = Date.now();
    await waitFor(
      () => watchdog.beats.filter((b) => b.at >= from).length >= 3 || undefined,
      3000,
      'slow beats',
    );
    const slow = watchdog.beats.filter((b) => b.at >= from).map((b) => b.at);
    for (let i = 1; i < slow.length; i++) {
      assert.ok((slow[i] ?? 0) - (slow[i - 1] ?? 0) >= 200, 'beats are at least ~300 ms apart');
    }
    await watchdog.command({ cmd: 'fault', fault: { name: 'clear' } });
    const fast = Date.now();
    await waitFor(
      () => watchdog.beats.filter((b) => b.at >= fast).length >= 5 || undefined,
      1000,
      'fast beats',
    );
  });

  test('fail-health shows in heartbeats, and clearing it gives the real health back', async () => {
    const { watchdog, agent } = await running(true);
    agent.setHealth({ status: 'warn', summary: 'real' });
    const did = await agent.injectFault({ name: 'fail-health' });
    assert.deepEqual(did, ['fail-health: reporting failing until cleared']);
    const failing = await watchdog.nextBeat((b) => b.health.status === 'failing');
    assert.equal(failing.health.summary, 'fault injection: fail-health');
    await agent.injectFault({ name: 'clear' });
    const real = await watchdog.nextBeat((b) => b.health.status !== 'failing');
    assert.deepEqual(real.health, { status: 'warn', summary: 'real' });
  });

  test('fail-health with seconds ends by itself', async () => {
    const { watchdog, agent } = await running(true);
    await agent.injectFault({ name: 'fail-health', seconds: 0.3 });
    await watchdog.nextBeat((b) => b.health.status === 'failing');
    await watchdog.nextBeat((b) => b.health.status === 'ok', 3000);
  });

  test('cpu spins a core in a worker while heartbeats keep flowing', async () => {
    const { watchdog } = await running(true);
    const from = Date.now();
    const cpuBefore = process.cpuUsage();
    await watchdog.command({ cmd: 'fault', fault: { name: 'cpu' } });
    // CPU time, not a rate: on a loaded host the share of a core varies, the total still grows.
    const usedMs = () => {
      const cpu = process.cpuUsage(cpuBefore);
      return (cpu.user + cpu.system) / 1000;
    };
    await waitFor(() => usedMs() >= 400 || undefined, 5000, '400 ms of CPU burnt');
    await waitFor(() => watchdog.beats.filter((b) => b.at >= from).length >= 10 || undefined, 5000, 'beats');
    assert.ok(longestGap(watchdog, from) < paced(1000), `gap ${longestGap(watchdog, from)} ms`);
    const cleared = await watchdog.command({ cmd: 'fault', fault: { name: 'clear' } });
    assert.deepEqual(cleared.did, ['cpu: stopped spinning']);
  });

  test('clear with nothing running says so; a fault started twice replaces the first', async () => {
    const { agent } = await running(true);
    assert.deepEqual(await agent.injectFault({ name: 'clear' }), ['clear: no fault was running']);
    await agent.injectFault({ name: 'slow-heartbeat', intervalMs: 100 });
    const again = await agent.injectFault({ name: 'slow-heartbeat', intervalMs: 200 });
    assert.deepEqual(again, [
      'slow-heartbeat: normal interval restored',
      'slow-heartbeat: one heartbeat every 200 ms until cleared',
    ]);
  });

  test('injectFault validates its spec', async () => {
    const { agent } = await running(true);
    await assert.rejects(
      agent.injectFault({ name: 'melt' } as unknown as { name: 'hang' }),
      (error: unknown) => isVigilError(error, 'VIGIL_SDK_OPTION_INVALID'),
    );
  });
});

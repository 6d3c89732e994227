// A watchdog that dies (kill -9) leaves the agent running; the next one adopts it. Twenty
// rounds: always exactly one agent, always the same pid, and once the new watchdog is up,
// supervision resumes within the heartbeat timeout. (How fast the watchdog itself comes back is
// its supervisor's business: systemd's Restart=, here the test.)
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { Pair } from '../support/pair.ts';
import { isAlive, pidsWithEnv } from '../support/processes.ts';

const TIMEOUT_MS = 1500;

describe('adoption', () => {
  const pair = new Pair({ watchdog: { heartbeat: { intervalMs: 250, timeoutMs: TIMEOUT_MS } } });
  after(() => pair.dispose());

  test('20 rounds of kill -9 and restart: one agent, the same pid, no gap longer than the heartbeat timeout', async () => {
    await pair.start();
    const first = await pair.waitForHealthy();
    const agentPid = first.agent.pid as number;
    const gaps: number[] = [];
    for (let round = 0; round < 20; round++) {
      await pair.killWatchdog();
      assert.ok(isAlive(agentPid), `round ${round}: the agent outlives its watchdog`);
      await pair.start();
      const upAt = Date.now();
      const status = await pair.waitForStatus(
        (s) => s.agent.state === 'healthy' && s.agent.adopted && (s.agent.lastHeartbeatAgoMs ?? 1e9) < 500,
        10_000,
        `round ${round}: adopted and heartbeating`,
      );
      // The first heartbeat to the new watchdog came at most lastHeartbeatAgo before this status.
      gaps.push(Math.max(0, Date.now() - upAt - (status.agent.lastHeartbeatAgoMs ?? 0)));
      assert.equal(status.agent.pid, agentPid, `round ${round}: the same agent`);
      assert.equal(status.agent.restarts, 0);
      const processes = pidsWithEnv('VIGIL_HOME', pair.home).filter((pid) => pid !== status.watchdog.pid);
      assert.deepEqual(processes, [agentPid], `round ${round}: exactly one agent`);
    }
    writeFileSync(`${pair.home}/gaps.json`, JSON.stringify(gaps));
    const worst = Math.max(...gaps);
    assert.ok(worst < TIMEOUT_MS, `worst supervision gap ${worst} ms (all: ${gaps.join(', ')})`);
    assert.deepEqual(await pair.history(), [], 'adoption is not an incident');
  });

  test('a reused pid in agent.pid is not adopted: a fresh agent starts, the stranger is untouched', async () => {
    await pair.stop();
    const stranger = pidsWithEnv('VIGIL_HOME', '__none__');
    assert.deepEqual(stranger, []);
    // Point agent.pid at a live process that is not the agent (this test runner).
    writeFileSync(
      pair.paths.agentPidFile,
      `${process.pid}\n${JSON.stringify({ pid: process.pid, startTicks: 1, startedAt: 0, cmdline: ['node', 'agent.js'], instance: 'gone', watchdogPid: 1 })}\n`,
    );
    await pair.start();
    const status = await pair.waitForHealthy();
    assert.notEqual(status.agent.pid, process.pid);
    assert.equal(status.agent.adopted, false);
    assert.ok(isAlive(process.pid));
  });
});

// The watchdog never blames the agent for its own pause: a watchdog stopped (SIGSTOP, as a VM
// freeze or a suspend looks to it) for 3 s and for 10 s wakes up, reads the beats that queued,
// gives the agent a fresh deadline and keeps the same healthy agent, with no incident.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { waitFor } from '@vigil/shared/testing';
import { Pair } from '../support/pair.ts';

describe("the watchdog's own pause", () => {
  const pair = new Pair({ watchdog: { heartbeat: { intervalMs: 250, timeoutMs: 1500 } } });
  after(() => pair.dispose());

  for (const pauseMs of [3000, 10_000]) {
    test(`stopped for ${pauseMs / 1000} s, it keeps the healthy agent`, async () => {
      if (!pair.watchdog) await pair.start();
      const before = await pair.waitForHealthy();
      const watchdog = pair.watchdog;
      assert.ok(watchdog?.pid);
      watchdog.kill('SIGSTOP');
      const stoppedAt = performance.now();
      await new Promise((r) => setTimeout(r, pauseMs));
      watchdog.kill('SIGCONT');
      const after = await pair.waitForStatus(
        (s) => (s.agent.lastHeartbeatAgoMs ?? 1e9) < 1000,
        10_000,
        'heartbeats flowing after the pause',
      );
      assert.ok(performance.now() - stoppedAt >= pauseMs);
      assert.equal(after.agent.pid, before.agent.pid, 'the same agent');
      assert.equal(after.agent.restarts, 0);
      assert.deepEqual(await pair.history(), [], 'no incident');
      // The log says why, once per pause (or the queued beats arrived first and no gap was needed).
      await waitFor(
        () => readFileSync(pair.paths.watchdogLog, 'utf8').includes('"msg":"agent said hello"'),
        2000,
        'log',
      );
    });
  }
});

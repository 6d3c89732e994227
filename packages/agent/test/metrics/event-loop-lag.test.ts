// The event-loop monitor: one per process for every reader, each reader with its own window,
// and an idle agent (heartbeat + metrics) that sleeps between the monitor's ticks.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { EventLoopLag, LAG_RESOLUTION_MS, lagMonitorsRunning } from '@vigil/agent-sdk';
import { ChildProcesses, waitFor } from '@vigil/shared/testing';
import { FakeWatchdog } from '../../../agent-sdk/test/support/fake-watchdog.ts';

const IDLE_AGENT = fileURLToPath(new URL('../fixtures/idle-agent-with-metrics.mjs', import.meta.url));

function blockLoop(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // Busy on purpose: the delay the monitor must see.
  }
}

/** Context switches of every thread of `pid`: each is the process going to sleep or being woken. */
function contextSwitches(pid: number): number {
  let total = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const status = readFileSync(`/proc/${pid}/task/${task}/status`, 'utf8');
    for (const m of status.matchAll(/^(?:non)?voluntary_ctxt_switches:\s+(\d+)/gm)) total += Number(m[1]);
  }
  return total;
}

describe('event-loop lag', () => {
  test('two readers share one monitor; each sees a block, and one look does not clear the other', async () => {
    const heartbeat = new EventLoopLag();
    const metrics = new EventLoopLag();
    heartbeat.start();
    metrics.start();
    try {
      assert.equal(lagMonitorsRunning(), 1);
      // A tick first, so the block falls inside a window both readers hold.
      await new Promise((resolve) => setTimeout(resolve, LAG_RESOLUTION_MS * 2));
      heartbeat.takeP99Ms();
      metrics.takeP99Ms();
      // The delay is how late the next tick comes: the block less the part of a period it
      // would have waited anyway, so at least block - period.
      const blockMs = 3 * LAG_RESOLUTION_MS;
      const atLeast = blockMs - LAG_RESOLUTION_MS;
      blockLoop(blockMs);
      let seen = 0;
      await waitFor(
        () => {
          seen = heartbeat.takeP99Ms();
          return seen > 0;
        },
        5000,
        'the block in the heartbeat window',
      );
      assert.ok(seen >= atLeast, `heartbeat window saw ${seen} ms`);
      const other = metrics.takeP99Ms();
      assert.ok(other >= atLeast, `metrics window saw ${other} ms after the heartbeat's look`);
      assert.ok(metrics.takeP99Ms() < atLeast, 'a look starts a new window');
    } finally {
      heartbeat.stop();
      metrics.stop();
    }
    assert.equal(lagMonitorsRunning(), 0, 'the last reader stops the monitor');
  });

  describe('an idle agent with metrics', () => {
    const children = new ChildProcesses();
    let watchdog: FakeWatchdog | undefined;
    const reportDir = mkdtempSync(join(tmpdir(), 'vigil-idle-agent-'));
    after(async () => {
      await children.killAll();
      await watchdog?.dispose();
      rmSync(reportDir, { recursive: true, force: true });
    });

    test('wakes a few times a second: lag, sentinel and heartbeat ride one pulse', async () => {
      watchdog = await FakeWatchdog.start();
      // The welcome sets the agent's beat: the default 250 ms, not the fake's quick 50 ms.
      watchdog.heartbeatIntervalMs = 250;
      const { child } = children.spawn(IDLE_AGENT, {
        VIGIL_AGENT_SOCKET: watchdog.path,
        VIGIL_HEARTBEAT_MS: '250',
        VIGIL_LOG_LEVEL: 'warn',
        // With a report directory the stall sentinel runs too, as in vigil-agent.
        VIGIL_REPORT_DIR: reportDir,
      });
      const pid = child.pid as number;
      await watchdog.waitForBeats(3, 10_000);
      // The window is counted in heartbeats (events), timed by the monotonic clock.
      const beats = watchdog.heartbeats.length;
      const t0 = performance.now();
      const before = contextSwitches(pid);
      await watchdog.waitForBeats(beats + 8, 20_000);
      const perSecond = (contextSwitches(pid) - before) / ((performance.now() - t0) / 1000);
      // Two monitors at 10 ms: about 200 a second; a monitor at 100 ms, a beat every 250 ms and a
      // sentinel at 100 ms: about 30. One pulse at 250 ms and the sentinel's worker: about 10.
      assert.ok(perSecond < 20, `the idle agent woke ${perSecond.toFixed(1)} times a second`);
    });
  });
});

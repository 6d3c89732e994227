// The bundled vigil-agent's recovery handlers, end to end through a real watchdog: a condition
// that soft clears is resolved without a restart; one that needs medium leaves the agent
// degraded, and restore brings it back.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Pair } from '../support/pair.ts';

const MiB = 1024 * 1024;
const pairs: Pair[] = [];
after(async () => {
  for (const pair of pairs) await pair.dispose();
});

describe('vigil-agent recovery through a real watchdog', () => {
  test('soft: a cache that bloats past the memory limit is dropped; resolved, no restart', async () => {
    const pair = new Pair({
      watchdog: { resources: { memory: { maxRssBytes: 260 * MiB, forSamples: 3 } } },
    });
    pairs.push(pair);
    await pair.start();
    const first = await pair.waitForHealthy();
    assert.ok(
      (first.agent.rssBytes ?? 0) < 200 * MiB,
      `the agent starts well under the limit: ${first.agent.rssBytes}`,
    );
    const injected = pair.cli(['chaos', 'bloat', '--mb-per-sec', '150', '--seconds', '1.5']);
    assert.equal(injected.code, 0, injected.stderr);
    const incident = await pair.waitForIncident((i) => i.signal === 'memory', 20_000, 'a memory incident');
    assert.deepEqual(incident.rungs, ['soft']);
    assert.equal(incident.outcome, 'resolved');
    const result = incident.timeline.find((e) => e.kind === 'result');
    assert.ok(result?.ok);
    assert.ok(
      (result?.did ?? []).some((d) => /bloat: dropped a \d+ MiB cache/.test(d)),
      JSON.stringify(result?.did),
    );
    assert.ok(
      (result?.did ?? []).some((d) => /^gc: freed/.test(d)),
      'the agent runs with --expose-gc',
    );
    assert.ok(
      (result?.did ?? []).some((d) => /^http pool:/.test(d)),
      'and resets its connection pool',
    );
    const now = await pair.waitForHealthy();
    assert.equal(now.agent.pid, first.agent.pid);
    assert.equal(now.agent.restarts, 0);
  });

  test('medium: a non-critical check burning CPU is paused; degraded, no restart; restore', async () => {
    const burn = 'const t = Date.now(); while (Date.now() - t < 20000) {}';
    const pair = new Pair({
      watchdog: {
        resources: { sampleIntervalMs: 250, cpu: { maxPercent: 40, forSamples: 4 } },
        recovery: { soft: { verifyMs: 1500 }, medium: { verifyMs: 4000 } },
      },
      agent: {
        checks: [
          // A critical check with a fixed outcome: never the host's real load.
          {
            type: 'command',
            name: 'steady',
            command: ['true'],
            intervalMs: 1000,
            timeoutMs: 500,
            critical: true,
          },
          {
            type: 'command',
            name: 'report-job',
            command: [process.execPath, '-e', burn],
            intervalMs: 30_000,
            timeoutMs: 25_000,
          },
        ],
      },
    });
    pairs.push(pair);
    await pair.start();
    const first = await pair.waitForStatus((s) => s.agent.state === 'healthy', 10_000, 'healthy');
    const incident = await pair.waitForIncident((i) => i.signal === 'cpu', 30_000, 'a cpu incident');
    assert.deepEqual(incident.rungs, ['soft', 'medium']);
    assert.equal(incident.outcome, 'resolved');
    const medium = incident.timeline.filter((e) => e.kind === 'result').at(-1);
    assert.ok(
      (medium?.did ?? []).includes('paused non-critical checks: report-job'),
      JSON.stringify(medium?.did),
    );
    const degraded = await pair.waitForStatus((s) => s.agent.state === 'degraded', 5000, 'degraded');
    assert.equal(degraded.agent.pid, first.agent.pid);
    assert.equal(degraded.agent.restarts, 0);
    assert.equal(degraded.agent.health?.checks?.paused, 1);
    // Restore, and hold recovery so the job's next run does not start the story again.
    assert.equal(pair.cli(['pause']).code, 0);
    assert.equal(pair.cli(['recover', '--restore']).code, 0);
    const restored = await pair.waitForStatus((s) => s.agent.state === 'healthy', 5000, 'restored');
    assert.equal(restored.agent.health?.checks?.paused ?? 0, 0);
  });
});

// Fixture agents that misbehave while still answering: the ladder climbs only as far as needed.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertNothingLeft, fixtureStarts, trackFixturePairs } from '../support/fixture-pair.ts';

const MiB = 1024 * 1024;
const pairFor = trackFixturePairs();

describe('fixture: heals-on-soft', () => {
  test('soft clears it: resolved at soft, no restart at all', async () => {
    const pair = await pairFor('heals-on-soft', { env: { FIXTURE_AFTER_MS: '300' } });
    const first = await pair.waitForHealthy();
    const incident = await pair.waitForIncident((i) => i.signal === 'self-failing', 10_000, 'self-failing');
    assert.deepEqual(incident.rungs, ['soft']);
    assert.equal(incident.outcome, 'resolved');
    assert.ok(
      incident.timeline.some(
        (e) => e.kind === 'result' && e.ok && (e.did ?? []).join(' ').includes('cache cleared'),
      ),
    );
    const now = await pair.waitForHealthy();
    assert.equal(now.agent.pid, first.agent.pid);
    assert.equal(now.agent.restarts, 0);
    assert.equal(fixtureStarts(pair), 1);
    await assertNothingLeft(pair);
  });
});

describe('fixture: heals-on-medium', () => {
  test('soft does not help, medium does: degraded, no restart, then restored', async () => {
    const pair = await pairFor('heals-on-medium', {
      env: { FIXTURE_AFTER_MS: '300' },
      watchdog: { recovery: { soft: { verifyMs: 1000 } } },
    });
    const first = await pair.waitForHealthy();
    const incident = await pair.waitForIncident((i) => i.signal === 'self-failing', 10_000, 'self-failing');
    assert.deepEqual(incident.rungs, ['soft', 'medium']);
    assert.equal(incident.outcome, 'resolved');
    const degraded = await pair.waitForStatus((s) => s.agent.state === 'degraded', 5000, 'degraded');
    assert.equal(degraded.agent.pid, first.agent.pid);
    assert.equal(degraded.agent.restarts, 0);
    const restore = pair.cli(['recover', '--restore']);
    assert.equal(restore.code, 0, restore.stderr);
    await pair.waitForHealthy();
    assert.equal(fixtureStarts(pair), 1);
    await assertNothingLeft(pair);
  });
});

describe('fixture: leaks-memory', () => {
  test('over the limit: soft, then medium as it keeps rising, then hard; restarted', async () => {
    const pair = await pairFor('leaks-memory', {
      env: { FIXTURE_AFTER_MS: '300', FIXTURE_MB_PER_SEC: '40' },
      watchdog: { resources: { memory: { maxRssBytes: 200 * MiB, forSamples: 2 } } },
    });
    await pair.waitForHealthy();
    const incident = await pair.waitForIncident((i) => i.signal === 'memory', 20_000, 'memory');
    assert.deepEqual(incident.rungs, ['soft', 'medium', 'hard']);
    assert.equal(incident.outcome, 'restarted');
    const escalations = incident.timeline.filter((e) => e.kind === 'escalated').map((e) => e.detail ?? '');
    assert.ok(
      escalations.some((d) => /still rising/.test(d)),
      `judged by the trend: ${escalations.join(' | ')}`,
    );
    await pair.waitForHealthy();
    await assertNothingLeft(pair);
  });

  test('over the ceiling on one sample: straight to hard, skipping soft and medium', async () => {
    const pair = await pairFor('leaks-memory', {
      env: { FIXTURE_AFTER_MS: '300', FIXTURE_MB_PER_SEC: '60' },
      // forSamples this high keeps the ordinary limit out of the way: only the ceiling acts.
      watchdog: {
        resources: { memory: { maxRssBytes: 150 * MiB, ceilingRssBytes: 200 * MiB, forSamples: 1000 } },
      },
    });
    await pair.waitForHealthy();
    const incident = await pair.waitForIncident(
      (i) => i.signal === 'memory-ceiling',
      20_000,
      'memory-ceiling',
    );
    assert.deepEqual(incident.rungs, ['hard']);
    assert.equal(incident.outcome, 'restarted');
    await pair.waitForHealthy();
    await assertNothingLeft(pair);
  });
});

describe('fixture: spins-cpu', () => {
  test('sustained CPU: the ladder climbs to hard, since neither soft nor medium stops the spin', async () => {
    const pair = await pairFor('spins-cpu', {
      env: { FIXTURE_AFTER_MS: '300' },
      watchdog: {
        // Well under one spinning core, so a loaded test machine still shows it over the limit.
        resources: { cpu: { maxPercent: 30, forSamples: 4 } },
        recovery: { soft: { verifyMs: 1000 }, medium: { verifyMs: 1000 } },
      },
    });
    await pair.waitForHealthy();
    const incident = await pair.waitForIncident((i) => i.signal === 'cpu', 20_000, 'cpu');
    assert.deepEqual(incident.rungs, ['soft', 'medium', 'hard']);
    assert.equal(incident.outcome, 'restarted');
    await pair.waitForHealthy();
    await assertNothingLeft(pair);
  });
});

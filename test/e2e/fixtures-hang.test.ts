// Fixture agents that stop answering: caught by heartbeat, with evidence, restarted.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assertNothingLeft, trackFixturePairs } from '../support/fixture-pair.ts';
import { FIXTURES } from '../support/pair.ts';
import { isAlive } from '../support/processes.ts';

const pairFor = trackFixturePairs();

describe('fixture: blocks-event-loop', () => {
  test('caught by heartbeat; the stack names the hanging function and line; restarted', async () => {
    const pair = await pairFor('blocks-event-loop', { env: { FIXTURE_AFTER_MS: '300' } });
    const first = await pair.waitForHealthy();
    const incident = await pair.waitForIncident(
      (i) => i.signal === 'heartbeat-lost',
      10_000,
      'heartbeat-lost',
    );
    assert.deepEqual(incident.rungs, ['hard']);
    assert.equal(incident.evidence?.source, 'stall-sentinel');
    const top = incident.evidence?.stack?.find((f) => !f.startsWith('node:') && !f.includes('(node:')) ?? '';
    assert.match(top, /blockForever/);
    assert.ok(top.includes(`${FIXTURES}/blocks-event-loop.mjs:`), top);
    assert.equal(isAlive(first.agent.pid as number), false);
    const after = await pair.waitForHealthy();
    assert.equal(after.agent.restarts, 1);
    await assertNothingLeft(pair);
  });
});

describe('fixture: stops-heartbeat', () => {
  test('a live loop without heartbeats: lost, evidence from a diagnostic report, restarted', async () => {
    const pair = await pairFor('stops-heartbeat', { env: { FIXTURE_AFTER_MS: '300' } });
    await pair.waitForHealthy();
    const incident = await pair.waitForIncident(
      (i) => i.signal === 'heartbeat-lost',
      10_000,
      'heartbeat-lost',
    );
    assert.deepEqual(incident.rungs, ['hard']);
    assert.equal(incident.evidence?.source, 'diagnostic-report');
    assert.match(incident.evidence?.reportPath ?? '', /report\..*\.json$/);
    await pair.waitForHealthy();
    await assertNothingLeft(pair);
  });
});

describe('fixture: gets-sigstopped', () => {
  test('a stopped process: detected as stopped, killed at once, restarted', async () => {
    const pair = await pairFor('gets-sigstopped', { env: { FIXTURE_AFTER_MS: '300' } });
    const first = await pair.waitForHealthy();
    const incident = await pair.waitForIncident(
      (i) => i.signal === 'process-stopped',
      10_000,
      'process-stopped',
    );
    assert.deepEqual(incident.rungs, ['hard']);
    assert.equal(incident.evidence?.processState, 'T');
    assert.match(incident.timeline.find((e) => e.kind === 'stopped')?.detail ?? '', /^SIGKILL/);
    assert.equal(isAlive(first.agent.pid as number), false);
    await pair.waitForHealthy();
    await assertNothingLeft(pair);
  });
});

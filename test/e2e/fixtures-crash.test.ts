// Fixture agents that exit, start slowly or refuse to die: the right signal, the right rungs,
// the right outcome, and nothing left behind.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { waitFor } from '@vigil/shared/testing';
import { assertNothingLeft, fixtureStarts, trackFixturePairs } from '../support/fixture-pair.ts';
import { isAlive } from '../support/processes.ts';

const pairFor = trackFixturePairs();

describe('fixture: crashes-on-boot', () => {
  test('one crash: restarted at once, then healthy', async () => {
    const pair = await pairFor('crashes-on-boot');
    const incident = await pair.waitForIncident((i) => i.signal === 'exit', 10_000, 'exit incident');
    assert.deepEqual(incident.rungs, ['hard']);
    assert.equal(incident.outcome, 'restarted');
    assert.match(incident.detail ?? '', /exited with code 1/);
    const status = await pair.waitForHealthy();
    assert.equal(status.agent.restarts, 1);
    assert.equal(fixtureStarts(pair), 2);
    await assertNothingLeft(pair);
  });

  test('a crash loop: backoff, then failed with one alert, then slow probes — never a tight loop', async () => {
    const alerts = join('/tmp', `vg-alerts-${process.pid}-${Date.now()}.jsonl`);
    const pair = await pairFor('crashes-on-boot', {
      once: false,
      watchdog: {
        recovery: {
          backoff: { initialMs: 100, maxMs: 400 },
          intensity: { maxRestarts: 4, withinMs: 60_000 },
          probeMs: 1500,
        },
        alert: {
          command: [
            process.execPath,
            '-e',
            `process.stdin.pipe(require('fs').createWriteStream(${JSON.stringify(alerts)}, { flags: 'a' }))`,
          ],
        },
      },
    });
    const failed = await pair.waitForStatus((s) => s.agent.state === 'failed', 15_000, 'agent failed');
    assert.equal(fixtureStarts(pair), 5, 'the first start and four restarts');
    assert.ok(
      failed.recovery.backoffMs !== null && failed.recovery.backoffMs <= 1500,
      'the next probe is scheduled',
    );
    const incident = (await pair.history()).find((i) => i.timeline.some((e) => e.kind === 'failed'));
    assert.ok(incident, 'the failure is in the incident timeline');
    const backoffs = incident.timeline.filter((e) => e.kind === 'backoff').map((e) => e.durationMs ?? 0);
    assert.equal(backoffs.length, 3, 'the first restart is immediate, the next three back off');
    assert.ok(
      backoffs.every((d, i) => i === 0 || d >= (backoffs[i - 1] ?? 0)),
      `backoff grows: ${backoffs.join(', ')}`,
    );
    // Probes keep coming while failed, without another "failed" alert.
    await waitFor(() => fixtureStarts(pair) >= 7, 10_000, 'two probes');
    assert.equal((await pair.status()).agent.state, 'failed');
    await waitFor(
      () => {
        try {
          return readFileSync(alerts, 'utf8').includes('"failed"');
        } catch {
          return false;
        }
      },
      5000,
      'the failed alert delivered to the command',
    );
    const kinds = readFileSync(alerts, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).kind);
    assert.equal(kinds.filter((k) => k === 'failed').length, 1, `one failed alert: ${kinds.join(', ')}`);
    await assertNothingLeft(pair);
  });
});

describe('fixture: exits-after-ready', () => {
  test('an exit after ready is restarted, with the exit code in the incident', async () => {
    const pair = await pairFor('exits-after-ready', { env: { FIXTURE_AFTER_MS: '300' } });
    const first = await pair.waitForHealthy();
    const incident = await pair.waitForIncident((i) => i.signal === 'exit', 10_000, 'exit incident');
    assert.match(incident.detail ?? '', /exited with code 3/);
    assert.equal(incident.outcome, 'restarted');
    const after = await pair.waitForHealthy();
    assert.notEqual(after.agent.pid, first.agent.pid);
    await assertNothingLeft(pair);
  });
});

describe('fixture: slow-to-start', () => {
  test('slower than usual but within the grace: starting, then healthy, no incident', async () => {
    const pair = await pairFor('slow-to-start', { env: { FIXTURE_START_DELAY_MS: '1500' } });
    const early = await pair.status();
    assert.equal(early.agent.state, 'starting');
    await pair.waitForHealthy();
    assert.deepEqual(await pair.history(), []);
    await assertNothingLeft(pair);
  });

  test('slower than the grace: no-hello, killed and restarted', async () => {
    const pair = await pairFor('slow-to-start', {
      env: { FIXTURE_START_DELAY_MS: '5000' },
      watchdog: { startup: { graceMs: 1000 } },
    });
    const incident = await pair.waitForIncident((i) => i.signal === 'no-hello', 10_000, 'no-hello incident');
    assert.deepEqual(incident.rungs, ['hard']);
    assert.equal(incident.outcome, 'restarted');
    await pair.waitForHealthy();
    await assertNothingLeft(pair);
  });
});

describe('fixture: ignores-sigterm', () => {
  test('SIGTERM ignored: SIGKILL after the stop timeout', async () => {
    const pair = await pairFor('ignores-sigterm', { env: { FIXTURE_AFTER_MS: '300' } });
    const first = await pair.waitForHealthy();
    const incident = await pair.waitForIncident(
      (i) => i.signal === 'heartbeat-lost',
      10_000,
      'heartbeat-lost incident',
    );
    const stopped = incident.timeline.find((e) => e.kind === 'stopped');
    assert.match(stopped?.detail ?? '', /^SIGKILL/);
    assert.equal(isAlive(first.agent.pid as number), false);
    await pair.waitForHealthy();
    await assertNothingLeft(pair);
  });
});

describe('fixture: forks-grandchildren', () => {
  test('hard recovery kills the whole tree, the setsid grandchild included', async () => {
    const pair = await pairFor('forks-grandchildren', { env: { FIXTURE_AFTER_MS: '500' } });
    await pair.waitForHealthy();
    const pidsFile = pair.env.FIXTURE_PIDS_FILE as string;
    await waitFor(
      () => {
        try {
          return JSON.parse(readFileSync(pidsFile, 'utf8')).grandchildren.length === 2;
        } catch {
          return false;
        }
      },
      5000,
      'the fixture wrote its pids',
    );
    const family = JSON.parse(readFileSync(pidsFile, 'utf8')) as {
      fixture: number;
      children: number[];
      grandchildren: number[];
    };
    const all = [family.fixture, ...family.children, ...family.grandchildren];
    assert.ok(all.every(isAlive), 'the whole family is up');
    const incident = await pair.waitForIncident(
      (i) => i.signal === 'heartbeat-lost',
      10_000,
      'heartbeat-lost incident',
    );
    assert.match(
      incident.timeline.find((e) => e.kind === 'stopped')?.detail ?? '',
      /\d+ other process\(es\) of the agent killed/,
    );
    await waitFor(
      () => all.every((pid) => !isAlive(pid)),
      3000,
      `every process of the old agent gone: ${all.filter(isAlive).join(', ')}`,
    );
    await pair.waitForHealthy();
    await assertNothingLeft(pair);
  });
});

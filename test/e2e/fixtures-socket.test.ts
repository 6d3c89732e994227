// Fixture agents that abuse the socket: the watchdog drops the offending connections and the
// real session is never disturbed.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { waitFor } from '@vigil/shared/testing';
import { assertNothingLeft, trackFixturePairs } from '../support/fixture-pair.ts';

const pairFor = trackFixturePairs();

function rssOf(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) * 1024;
}

async function abuse(fixture: string, env: Record<string, string>, logNeedle: RegExp) {
  const pair = await pairFor(fixture, { env: { FIXTURE_AFTER_MS: '200', ...env } });
  const first = await pair.waitForHealthy();
  const watchdogPid = first.watchdog.pid;
  let worstRss = 0;
  // Throughout the abuse, the agent stays healthy on one pid and every status call answers.
  const until = Date.now() + 3000;
  while (Date.now() < until) {
    const s = await pair.status();
    assert.equal(s.agent.state, 'healthy', JSON.stringify(s.agent));
    assert.equal(s.agent.pid, first.agent.pid);
    assert.ok(
      (s.agent.lastHeartbeatAgoMs ?? 1e9) < 1000,
      `heartbeats keep flowing: ${s.agent.lastHeartbeatAgoMs}`,
    );
    worstRss = Math.max(worstRss, rssOf(watchdogPid));
    await new Promise((r) => setTimeout(r, 100));
  }
  await waitFor(
    () => logNeedle.test(readFileSync(pair.paths.watchdogLog, 'utf8')),
    5000,
    `the watchdog log shows ${logNeedle}`,
  );
  assert.deepEqual(await pair.history(), [], 'no incident');
  assert.ok(
    worstRss < 150 * 1024 * 1024,
    `watchdog RSS stays bounded: ${(worstRss / 1048576).toFixed(1)} MiB`,
  );
  await assertNothingLeft(pair);
}

describe('fixture: sends-garbage', () => {
  test('garbage, oversize lines, strangers: dropped, the agent undisturbed', () =>
    abuse(
      'sends-garbage',
      { FIXTURE_GARBAGE_MS: '3000' },
      /dropped a connection on the agent socket|refused a hello/,
    ));
});

describe('fixture: floods-socket', () => {
  test('a flood is cut off, the agent undisturbed, the watchdog responsive and bounded', () =>
    abuse('floods-socket', { FIXTURE_FLOOD_MS: '3000' }, /dropped a connection on the agent socket/));
});

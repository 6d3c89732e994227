import assert from 'node:assert/strict';
import { after, afterEach, test } from 'node:test';
import { waitFor } from '@vigil/shared/testing';
import { CheckRegistry } from '../../src/checks/check-registry.ts';
import { checkReport } from '../../src/checks/check-report.ts';
import type { CheckConfig } from '../../src/config/checks-schema.ts';
import { testContext } from './support/check-config.ts';
import { type Harness, harness, scriptedConfig } from './support/registry-harness.ts';
import { settle } from './support/scripted-check.ts';

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
process.on('unhandledRejection', onUnhandled);
after(() => {
  process.off('unhandledRejection', onUnhandled);
  assert.deepEqual(unhandled, [], 'no run may end in an unhandled rejection');
});

const open: Harness[] = [];
function make(...args: Parameters<typeof harness>): Harness {
  const h = harness(...args);
  open.push(h);
  return h;
}
afterEach(() => Promise.all(open.splice(0).map((h) => h.dispose())));

test('first runs are spread below min(interval, 5 s), then every interval ± 10%', async () => {
  const h = make({ random: () => 0.999999 });
  h.registry.apply([scriptedConfig('slow', { intervalMs: 60_000, timeoutMs: 1000 }), scriptedConfig('fast')]);
  await h.step(998, 1);
  assert.equal(h.results.length, 0);
  await h.step(1, 1);
  assert.deepEqual(
    h.results.map((r) => r.name),
    ['fast'],
  );
  await h.step(4999 - 999, 1);
  assert.deepEqual(h.results.map((r) => r.name).sort(), ['fast', 'fast', 'fast', 'fast', 'slow']);
  // fast, with the largest jitter: 999, then +1100 each time.
  assert.equal(h.resultsOf('fast').length, 1 + Math.floor((4999 - 999) / 1100));

  const early = make({ random: () => 0 });
  early.registry.apply([scriptedConfig('a')]);
  await early.step(0);
  assert.equal(early.results.length, 1, 'random 0 runs at once');
  await early.step(899, 1);
  assert.equal(early.results.length, 1);
  await early.step(1, 1);
  assert.equal(early.results.length, 2, 'then after 0.9 × interval');
});

test('interval factor 2 runs half as often, rescaling the pending wait at once', async () => {
  const h = make({ random: () => 0.5 });
  h.registry.apply([scriptedConfig('a')]);
  await h.step(10_000);
  assert.equal(h.results.length, 10, 'at 500, 1500, … 9500');

  h.registry.setIntervalFactor(2);
  assert.equal(h.registry.intervalFactor, 2);
  await h.step(10_000);
  assert.equal(h.results.length, 15, 'pending 500 ms became 1000, then every 2000');

  h.registry.setIntervalFactor(1);
  await h.step(10_000);
  assert.ok(h.results.length >= 24 && h.results.length <= 25, `${h.results.length}`);
  assert.throws(() => h.registry.setIntervalFactor(0), { code: 'VIGIL_SDK_OPTION_INVALID' });
});

test('hysteresis: bad after failAfter, ok after recoverAfter; transitions only on a change', async () => {
  const h = make();
  h.scripted.script(
    'api',
    'critical',
    'critical',
    'critical',
    'warn',
    'critical',
    'ok',
    'critical',
    'ok',
    'ok',
  );
  h.registry.apply([scriptedConfig('api', { failAfter: 3, recoverAfter: 2 })]);
  const shown: string[] = [];
  for (let i = 0; i < 9; i++) {
    await h.registry.runNow('api');
    shown.push(h.registry.states()[0]?.status ?? '?');
  }
  assert.deepEqual(shown, [
    'ok',
    'ok',
    'critical',
    'warn',
    'critical',
    'critical',
    'critical',
    'critical',
    'ok',
  ]);
  assert.deepEqual(
    h.transitions.map((t) => `${t.from}→${t.to}`),
    ['ok→critical', 'critical→warn', 'warn→critical', 'critical→ok'],
  );
  assert.equal(h.transitions[0]?.result.status, 'critical');
  assert.equal(h.transitions[0]?.config.name, 'api');
  assert.equal(h.results.length, 9);
  const state = h.registry.states()[0];
  assert.equal(state?.runs, 9);
  assert.equal(state?.since, h.transitions.at(-1)?.result.at);
});

test('a check that throws, even synchronously, gives a critical result with the error', async () => {
  const h = make({
    createCheck: (config: CheckConfig) => ({
      config,
      run() {
        throw new Error(`sync boom in ${config.name}`);
      },
    }),
  });
  h.registry.apply([scriptedConfig('sync')]);
  const result = await h.registry.runNow('sync');
  assert.equal(result.status, 'critical');
  assert.equal(result.error, 'sync boom in sync');
  assert.equal(result.summary, 'check failed: sync boom in sync');

  const scripted = make();
  scripted.scripted.script('async', { throws: 'async boom' });
  scripted.registry.apply([scriptedConfig('async')]);
  await scripted.step(0);
  assert.equal(scripted.results[0]?.error, 'async boom');
  assert.equal(scripted.results[0]?.type, 'command');
});

test('a check that ignores its abort is abandoned at the timeout and stays critical', async () => {
  const h = make();
  h.scripted.script('hung', 'hang-until-released', 'ok');
  h.registry.apply([scriptedConfig('hung', { failAfter: 1 }), scriptedConfig('steady')]);
  await h.step(0);
  assert.equal(h.results.length, 1, 'steady ran; hung is running');
  await h.step(500, 1);
  const [timedOut] = h.resultsOf('hung');
  assert.equal(timedOut?.status, 'critical');
  assert.equal(timedOut?.summary, 'timed out after 500 ms');
  assert.match(timedOut?.error ?? '', /^VIGIL_CHECK_TIMEOUT: check "hung" did not finish within 500 ms$/);
  assert.equal(timedOut?.durationMs, 500);
  assert.equal(h.scripted.runsOf('hung')[0]?.signal.aborted, true);

  // Still hung at the next tick: no second call, a critical result, a skip counted.
  await h.step(400, 1);
  assert.equal(h.scripted.runsOf('hung').length, 1);
  assert.match(h.resultsOf('hung')[1]?.summary ?? '', /^still hung/);
  assert.equal(h.registry.states()[0]?.skipped, 1);
  assert.equal(h.registry.states()[0]?.status, 'critical');
  assert.equal(h.resultsOf('steady').length, 2, 'the other checks kept running');

  h.scripted.runsOf('hung')[0]?.release();
  await h.step(900, 1);
  assert.equal(h.scripted.runsOf('hung').length, 2, 'runs again once the old call returned');
  assert.equal(h.resultsOf('hung').at(-1)?.status, 'ok');
});

test('with real time, a hung check does not block the event loop', async () => {
  const context = testContext();
  const registry = new CheckRegistry({
    context,
    createCheck: (config) => ({ config, run: () => new Promise(() => {}) }),
  });
  let ticks = 0;
  const ticker = setInterval(() => ticks++, 5);
  try {
    registry.apply([scriptedConfig('hung', { timeoutMs: 100 })]);
    const result = await registry.runNow('hung');
    assert.equal(result.status, 'critical');
    assert.ok(result.durationMs >= 95, `${result.durationMs}`);
    await waitFor(() => ticks >= 3, 2000, 'the event loop to keep turning');
  } finally {
    clearInterval(ticker);
    await registry.stop();
    context.dispose();
  }
});

test('never two runs of one check at once: a tick is skipped, runNow joins', async () => {
  const h = make();
  h.scripted.script('slow', 'wait', 'ok');
  h.registry.apply([scriptedConfig('slow', { timeoutMs: 990 })]);
  await h.step(0);
  const joined = h.registry.runNow('slow');
  await h.step(900, 1);
  assert.equal(h.scripted.runsOf('slow').length, 1);
  assert.equal(h.registry.states()[0]?.skipped, 1);
  h.scripted.runsOf('slow')[0]?.release({ status: 'warn', summary: 'finally' });
  assert.equal((await joined).summary, 'finally');
  assert.equal(h.scripted.maxConcurrent, 1);
  assert.equal(h.results.length, 1);
});

test('stop aborts runs in flight, emits nothing more, disposes every check and clears its timers', async () => {
  const h = make();
  h.scripted.script('slow', 'wait');
  h.registry.apply([scriptedConfig('slow'), scriptedConfig('other')]);
  await h.step(0);
  const before = h.results.length;
  await h.registry.stop();
  assert.equal(h.scripted.runsOf('slow')[0]?.signal.aborted, true);
  await settle();
  assert.equal(h.results.length, before);
  assert.deepEqual(h.scripted.disposed.sort(), ['other', 'slow']);
  assert.equal(h.clock.pending, 0);
  await h.step(5000);
  assert.equal(h.results.length, before);
  await assert.rejects(h.registry.runNow('slow'), { code: 'VIGIL_CHECK_UNKNOWN' });
});

test('a throwing listener does not break the run', async () => {
  const h = make();
  h.registry.on('result', () => {
    throw new Error('listener bug');
  });
  h.registry.apply([scriptedConfig('a', { failAfter: 1 })]);
  h.scripted.script('a', 'critical');
  assert.equal((await h.registry.runNow('a')).status, 'critical');
  assert.equal(h.transitions.length, 1);
  await assert.rejects(h.registry.runNow('nope'), /no check named "nope" \(configured: a\)/);
});

test('revision: whenever what states() shows changes, the stamp changes; while it holds, so do they', async () => {
  const h = make({ random: () => 0.5 });
  const shown = () => JSON.stringify(h.registry.states().map(checkReport));
  let last = { stamp: h.registry.revision, shown: shown() };
  let changes = 0;
  const look = (what: string) => {
    const now = { stamp: h.registry.revision, shown: shown() };
    if (now.shown !== last.shown) {
      assert.notEqual(now.stamp, last.stamp, `${what}: the reports changed, the stamp must too`);
      changes++;
    }
    last = now;
  };
  h.registry.apply([scriptedConfig('a'), scriptedConfig('b', { critical: true })]);
  look('apply');
  for (let i = 0; i < 6; i++) {
    await h.step(400, 50);
    look(`step ${i}`);
  }
  h.registry.pauseNonCritical();
  look('pause');
  await h.step(2000, 100);
  look('paused, time passes');
  h.registry.resumeAll();
  look('resume');
  await h.step(1500, 50);
  look('resumed');
  h.registry.apply([scriptedConfig('a', { intervalMs: 2000 }), scriptedConfig('b', { critical: true })]);
  look('new settings');
  h.registry.apply([scriptedConfig('b', { critical: true })]);
  look('a removed');
  h.registry.apply([scriptedConfig('b', { critical: true }), scriptedConfig('a')]);
  look('a back');
  await h.step(1500, 50);
  look('after');
  assert.ok(changes >= 8, `the reports changed ${changes} times: the test saw the stamp move`);
  // Nothing happens (no time passes): the stamp holds.
  assert.equal(h.registry.revision, h.registry.revision);
  const held = h.registry.revision;
  await settle();
  assert.equal(h.registry.revision, held);
});

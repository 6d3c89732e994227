// What status and why say about the pair's own states: a clean stop (by which signal, when, and
// no advice that cannot work), a watchdog that died (STALE in the header, never "● healthy"),
// and a pause that ends by itself (its end gone with it).
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { waitFor } from '@vigil/shared/testing';
import { Pair } from '../support/pair.ts';

describe('the pair’s own states, as status and why tell them', () => {
  const pairs: Pair[] = [];
  after(() => Promise.all(pairs.map((p) => p.dispose())));

  test('stopped with Ctrl-C: stopped, by SIGINT, when; why does not advise resume', async () => {
    const pair = new Pair();
    pairs.push(pair);
    await pair.start();
    await pair.waitForHealthy();
    const child = pair.watchdog;
    assert.ok(child);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    await exited;
    const status = pair.cli(['status']);
    assert.equal(status.code, 3, status.stderr);
    const header = status.stdout.split('\n')[0] ?? '';
    assert.match(header, /● stopped/);
    assert.match(header, /the pair was stopped: received SIGINT, \d{4}-\d\d-\d\d/);
    assert.doesNotMatch(status.stdout, /paused|STALE/);
    const json = JSON.parse(pair.cli(['status', '--json']).stdout);
    assert.equal(json.stale, true);
    assert.equal(json.watchdog.stopped.reason, 'received SIGINT');
    const why = pair.cli(['why']).stdout;
    assert.match(why, /The pair was stopped \(received SIGINT\) at /);
    assert.doesNotMatch(why, /vigil resume/);
  });

  test('a watchdog killed with SIGKILL: the header says STALE, not the last state', async () => {
    const pair = new Pair();
    pairs.push(pair);
    await pair.start();
    await pair.waitForHealthy();
    await pair.killWatchdog();
    const status = pair.cli(['status']);
    assert.equal(status.code, 3);
    const header = status.stdout.split('\n').find((l) => l.includes('●')) ?? '';
    assert.match(header, /● STALE \(last written: healthy\)/);
    assert.doesNotMatch(header, /● healthy/);
    assert.match(pair.cli(['why']).stdout, /did not stop cleanly/);
  });

  test('a pause that ends by itself leaves no end behind', async () => {
    const pair = new Pair();
    pairs.push(pair);
    await pair.start();
    await pair.waitForHealthy();
    assert.equal(pair.cli(['pause', '--for', '2s']).code, 0);
    const paused = await pair.status();
    assert.equal(paused.watchdog.paused, true);
    assert.ok(paused.watchdog.pausedUntil !== null);
    await waitFor(async () => !(await pair.status()).watchdog.paused, 15_000, 'the pause ends by itself');
    const after = await pair.status();
    assert.equal(after.watchdog.pausedUntil, null);
  });
});

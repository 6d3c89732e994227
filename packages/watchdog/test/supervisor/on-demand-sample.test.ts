import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '@vigil/shared/testing';
import { OnDemandSample } from '../../src/supervisor/on-demand-sample.ts';

test('a burst of status requests measures once; a second later, or for a new pid, again', async () => {
  const clock = new FakeClock();
  const calls: number[][] = [];
  const sampler = new OnDemandSample(clock, async (pids) => {
    calls.push(pids);
    return {
      rssBytes: 1000 * calls.length,
      cpuPercent: 1,
      pids: 1,
      demandPercent: null,
      waitedPercent: null,
    };
  });
  const burst = await Promise.all(Array.from({ length: 200 }, () => sampler.get(42)));
  assert.equal(calls.length, 1, 'one measurement for the whole burst');
  assert.ok(burst.every((s) => s?.rssBytes === 1000));
  clock.advance(999);
  await sampler.get(42);
  assert.equal(calls.length, 1, 'still fresh');
  clock.advance(1);
  assert.equal((await sampler.get(42))?.rssBytes, 2000, 'measured again after a second');
  assert.equal((await sampler.get(43))?.rssBytes, 3000, 'a new agent is measured at once');
  assert.deepEqual(calls, [[42], [42], [43]]);
});

test('a measurement that fails is no sample, not an error for the request', async () => {
  const sampler = new OnDemandSample(new FakeClock(), () => Promise.reject(new Error('gone')));
  assert.equal(await sampler.get(7), null);
});

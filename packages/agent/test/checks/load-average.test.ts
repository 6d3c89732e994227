import assert from 'node:assert/strict';
import os from 'node:os';
import { test } from 'node:test';
import { createLoadAverageCheck } from '../../src/checks/load-average.ts';
import { checkConfig } from './support/check-config.ts';

const signal = () => AbortSignal.timeout(5000);

test('the real load average divided by the usable CPUs, ok below generous thresholds', async () => {
  const outcome = await createLoadAverageCheck(
    checkConfig({ type: 'load', name: 'load', window: 1, warnPerCpu: 1e9, criticalPerCpu: 2e9 }),
  ).run(signal());
  assert.equal(outcome.status, 'ok');
  const expected = (os.loadavg()[0] ?? 0) / os.availableParallelism();
  assert.ok(Math.abs((outcome.value ?? -1) - expected) < 0.5, `${outcome.value} vs ${expected}`);
  assert.match(outcome.summary, /^load1 \d+\.\d\d on \d+ CPUs?, \d+\.\d\d per CPU$/);
});

test('thresholds per CPU and the configured window pick the status', async () => {
  const loadavg = () => [8, 4, 2];
  const cpus = () => 4;
  const run = (window: 1 | 5 | 15, warnPerCpu: number, criticalPerCpu: number) =>
    createLoadAverageCheck(checkConfig({ type: 'load', name: 'load', window, warnPerCpu, criticalPerCpu }), {
      loadavg,
      cpus,
    }).run(signal());

  const five = await run(5, 2, 4);
  assert.equal(five.value, 1);
  assert.equal(five.status, 'ok');
  const one = await run(1, 1e-9, 4);
  assert.equal(one.value, 2);
  assert.equal(one.status, 'warn');
  assert.match(one.summary, /load1 8\.00 on 4 CPUs, 2\.00 per CPU \(warn ≥ 1e-9\)/);
  const fifteen = await run(15, 1e-9, 0.5);
  assert.equal(fifteen.status, 'critical');
  assert.match(fifteen.summary, /\(critical ≥ 0\.5\)$/);
});

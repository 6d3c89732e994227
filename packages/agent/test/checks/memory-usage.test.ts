import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createMemoryUsageCheck, parseMeminfo } from '../../src/checks/memory-usage.ts';
import { checkConfig } from './support/check-config.ts';

const signal = () => AbortSignal.timeout(5000);
const dir = mkdtempSync(join(tmpdir(), 'vg-meminfo-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('the real /proc/meminfo is forced into each status by the thresholds', async () => {
  const real = parseMeminfo(readFileSync('/proc/meminfo', 'utf8'));
  assert.ok(real.usedPercent > 0 && real.usedPercent < 100);

  const cases = [
    { warnPercent: 100, criticalPercent: 100, status: 'ok' },
    { warnPercent: 0, criticalPercent: 100, status: 'warn' },
    { warnPercent: 0, criticalPercent: 1e-9, status: 'critical' },
  ] as const;
  for (const { status, ...thresholds } of cases) {
    const outcome = await createMemoryUsageCheck(
      checkConfig({ type: 'memory', name: 'memory', ...thresholds }),
    ).run(signal());
    assert.equal(outcome.status, status, outcome.summary);
    assert.equal(outcome.unit, '%');
    assert.match(outcome.summary, /^memory \d+\.\d% used of \d+\.\d GiB/);
  }
});

test('used% is 1 − MemAvailable/MemTotal', async () => {
  const file = join(dir, 'meminfo');
  writeFileSync(file, 'MemTotal:       1000000 kB\nMemFree:         100000 kB\nMemAvailable:    250000 kB\n');
  const outcome = await createMemoryUsageCheck(
    checkConfig({ type: 'memory', name: 'memory', warnPercent: 70, criticalPercent: 80 }),
    { meminfoPath: file },
  ).run(signal());
  assert.equal(outcome.value, 75);
  assert.equal(outcome.status, 'warn');
  assert.match(outcome.summary, /75\.0% used .*\(warn ≥ 70%\)$/);
});

test('without MemAvailable (old kernels) free + buffers + cached stands in', () => {
  const parsed = parseMeminfo('MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 100 kB\nCached: 300 kB\n');
  assert.equal(parsed.usedPercent, 50);
  assert.equal(parsed.totalBytes, 1000 * 1024);
  assert.throws(() => parseMeminfo('garbage'), /MemTotal/);
});

import assert from 'node:assert/strict';
import { statfs } from 'node:fs/promises';
import { test } from 'node:test';
import { createDiskUsageCheck, usedPercent } from '../../src/checks/disk-usage.ts';
import { checkConfig } from './support/check-config.ts';

const signal = () => AbortSignal.timeout(5000);

test('used% counts like df: root-reserved blocks are neither used nor available', () => {
  // 1000 blocks, 100 free of which 50 are reserved for root: 900 used, 50 available.
  const percent = usedPercent({ bsize: 4096, blocks: 1000, bfree: 100, bavail: 50 });
  assert.equal(percent, (900 / 950) * 100);
  assert.equal(usedPercent({ bsize: 4096, blocks: 0, bfree: 0, bavail: 0 }), 0);
});

test('the real usage of the temp dir lands in ok, warn or critical by the thresholds', async () => {
  const path = process.env.TMPDIR ?? '/tmp';
  const actual = usedPercent(await statfs(path));
  assert.ok(actual > 0 && actual < 100, `usage of ${path} is ${actual}`);

  const ok = await createDiskUsageCheck(
    checkConfig({ type: 'disk', name: 'disk', path, warnPercent: 100, criticalPercent: 100 }),
  ).run(signal());
  assert.equal(ok.status, 'ok');
  assert.equal(ok.unit, '%');
  assert.ok(Math.abs((ok.value ?? -1) - actual) < 1, `value ${ok.value} vs ${actual}`);
  assert.match(ok.summary, new RegExp(`^${path} \\d+\\.\\d% used, \\d+\\.\\d GiB free$`));

  const below = Math.floor(actual);
  const warn = await createDiskUsageCheck(
    checkConfig({ type: 'disk', name: 'disk', path, warnPercent: below, criticalPercent: 100 }),
  ).run(signal());
  assert.equal(warn.status, 'warn');
  assert.match(warn.summary, new RegExp(`\\(warn ≥ ${below}%\\)$`));

  const critical = await createDiskUsageCheck(
    checkConfig({ type: 'disk', name: 'disk', path, warnPercent: 0, criticalPercent: below }),
  ).run(signal());
  assert.equal(critical.status, 'critical');
  assert.match(critical.summary, new RegExp(`\\(critical ≥ ${below}%\\)$`));
});

test('a path that does not exist makes the run throw (the registry records it as critical)', async () => {
  const check = createDiskUsageCheck(checkConfig({ type: 'disk', name: 'disk', path: '/no/such/dir/vigil' }));
  await assert.rejects(check.run(signal()), { code: 'ENOENT' });
});

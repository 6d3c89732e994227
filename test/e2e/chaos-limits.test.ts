// `vigil chaos leak|cpu` on a pair with no limit for that resource injects the fault and warns
// that nothing will act on it; with a limit set it says nothing more. The limits are those of
// the config the running watchdog reports, so the test reads the same file to know which.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { loadConfig } from '@vigil/shared/config';
import { Pair } from '../support/pair.ts';

const pairs: Pair[] = [];
after(async () => {
  for (const pair of pairs) await pair.dispose();
});

async function startPair(watchdog: Record<string, unknown> = {}): Promise<Pair> {
  const pair = new Pair({ watchdog });
  pairs.push(pair);
  await pair.start();
  await pair.waitForHealthy();
  return pair;
}

describe('vigil chaos without a resource limit', () => {
  test('leak and cpu are injected, with a warning naming the missing limit when there is none', async () => {
    const pair = await startPair();
    const { resources } = loadConfig(join(pair.home, 'vigil.json'), { scope: 'watchdog' }).config.watchdog;
    const memoryLimited =
      resources.memory.maxRssBytes !== undefined || resources.memory.ceilingRssBytes !== undefined;

    const leak = pair.cli(['chaos', 'leak', '--mb-per-sec', '1', '--seconds', '1']);
    assert.equal(leak.code, 0, leak.stderr);
    assert.match(leak.stdout, /^injected leak/);
    if (memoryLimited) assert.doesNotMatch(leak.stderr, /warning/);
    else assert.match(leak.stderr, /warning: no watchdog\.resources\.memory limit is configured/);

    const cpu = pair.cli(['chaos', 'cpu', '--seconds', '1']);
    assert.equal(cpu.code, 0, cpu.stderr);
    assert.match(cpu.stdout, /^injected cpu/);
    if (resources.cpu.maxPercent !== undefined) assert.doesNotMatch(cpu.stderr, /warning/);
    else assert.match(cpu.stderr, /warning: no watchdog\.resources\.cpu limit is configured/);

    const hang = pair.cli(['chaos', 'fail-health', '--seconds', '1']);
    assert.equal(hang.code, 0, hang.stderr);
    assert.equal(hang.stderr, '', 'a fault no limit acts on is not warned about');
  });

  test('with limits set (high enough never to act here), nothing is said', async () => {
    const pair = await startPair({
      resources: { memory: { maxRssBytes: 8 * 1024 ** 3 }, cpu: { maxPercent: 100_000 } },
    });
    for (const args of [
      ['chaos', 'leak', '--mb-per-sec', '1', '--seconds', '1'],
      ['chaos', 'cpu', '--seconds', '1'],
    ]) {
      const result = pair.cli(args);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stderr, '', args.join(' '));
    }
  });
});

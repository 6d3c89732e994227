// CI smoke of the soak: ~30 s of random faults (a few of them) into a real pair. The full run,
// 10 minutes, is `pnpm test:soak` (run-soak.ts). VIGIL_SOAK_SEED replays an order of faults.
import { after, describe, test } from 'node:test';
import { assertNothingLeft } from '../support/fixture-pair.ts';
import { soak } from './soak.ts';
import { soakPair } from './soak-pair.ts';
import { assertSoakReport } from './soak-report.ts';

describe('soak (smoke)', () => {
  const pair = soakPair();
  after(() => pair.dispose());

  test('~30 s of random faults: each caught as designed, one incident each, one agent, nothing orphaned', async () => {
    const report = await soak(pair, {
      durationMs: 25_000,
      seed: Number(process.env.VIGIL_SOAK_SEED ?? Date.now() % 1_000_000_000),
      warmupMs: 10_000,
      // Thirty seconds is too short for a slope to mean anything: reported, not asserted.
      slopeMinWindowMs: 4 * 60_000,
      slopeLimitMiBPerMin: 1,
      rssLimitMiB: 150,
      rssEveryMs: 1000,
      keepGoing: false,
    });
    assertSoakReport(report, 3);
    await assertNothingLeft(pair);
  });
});

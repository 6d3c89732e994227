// The full soak (`pnpm test:soak`): 10 minutes of random faults into a real pair.
//
//   node --import tsx test/soak/run-soak.ts [--minutes N] [--seed N] [--keep-going]
//
// --keep-going: a fault that ends wrongly is recorded and the run goes on (it still fails).
import { after, test } from 'node:test';
import { parseArgs } from 'node:util';
import { assertNothingLeft } from '../support/fixture-pair.ts';
import { soak } from './soak.ts';
import { soakPair } from './soak-pair.ts';
import { assertSoakReport } from './soak-report.ts';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    seed: { type: 'string' },
    'keep-going': { type: 'boolean', default: false },
  },
});
const minutes = Number(values.minutes);

const pair = soakPair();
after(() => pair.dispose());

test(`soak: ${minutes} minutes of random faults`, async () => {
  const report = await soak(pair, {
    durationMs: minutes * 60_000,
    seed: Number(values.seed ?? Date.now() % 1_000_000_000),
    warmupMs: Math.min(2 * 60_000, (minutes * 60_000) / 5),
    slopeMinWindowMs: 4 * 60_000,
    slopeLimitMiBPerMin: 1,
    rssLimitMiB: 150,
    rssEveryMs: 3000,
    keepGoing: values['keep-going'],
  });
  assertSoakReport(report, Math.floor(minutes * 4));
  await assertNothingLeft(pair);
});

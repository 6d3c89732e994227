// The full socket fuzz (`pnpm test:fuzz`): runs until 100,000 frames and 1,000 connect/disconnect
// cycles are done (or the --max-minutes safety cap), against a real pair.
//
//   node --import tsx test/fuzz/run-fuzz.ts [--frames N] [--cycles N] [--seed N]
//        [--skip family,family] [--concurrency N] [--property-runs N] [--max-minutes N]

import { after, test } from 'node:test';
import { parseArgs } from 'node:util';
import { assertFuzzReport } from './fuzz-report.ts';
import { fuzzPair, fuzzSockets } from './fuzz-sockets.ts';

const { values } = parseArgs({
  options: {
    frames: { type: 'string', default: '100000' },
    cycles: { type: 'string', default: '1000' },
    seed: { type: 'string' },
    skip: { type: 'string', default: '' },
    concurrency: { type: 'string', default: '16' },
    'property-runs': { type: 'string', default: '1000' },
    'max-minutes': { type: 'string', default: '30' },
  },
});
const frames = Number(values.frames);
const cycles = Number(values.cycles);

const pair = fuzzPair();
after(() => pair.dispose());

test(`socket fuzz: ${frames} frames and ${cycles} cycles`, async () => {
  const report = await fuzzSockets(pair, {
    durationMs: Number(values['max-minutes']) * 60_000,
    frames,
    cycles,
    seed: Number(values.seed ?? Date.now() % 1_000_000_000),
    concurrency: Number(values.concurrency),
    propertyRuns: Number(values['property-runs']),
    skip: new Set(values.skip.split(',').filter(Boolean)),
    longHolds: true,
    rssLimitMiB: 150,
  });
  assertFuzzReport(report, { frames, cycles });
});

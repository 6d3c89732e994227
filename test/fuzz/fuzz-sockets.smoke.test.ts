// CI smoke of the socket fuzz: ~25 s of generated frames and connection cycles on both sockets
// of a real pair. The full run (100,000 frames, 1,000 cycles) is `pnpm test:fuzz` (run-fuzz.ts).
// VIGIL_FUZZ_SEED replays a run; VIGIL_FUZZ_SKIP (comma-separated families) leaves some out.
import { after, describe, test } from 'node:test';
import { assertFuzzReport } from './fuzz-report.ts';
import { fuzzPair, fuzzSockets } from './fuzz-sockets.ts';

describe('socket fuzz (smoke)', () => {
  const pair = fuzzPair();
  after(() => pair.dispose());

  test('~25 s of garbage on both sockets: the watchdog lives, bounded, and the session is undisturbed', async () => {
    const report = await fuzzSockets(pair, {
      durationMs: 25_000,
      frames: Number.POSITIVE_INFINITY,
      cycles: Number.POSITIVE_INFINITY,
      seed: Number(process.env.VIGIL_FUZZ_SEED ?? Date.now() % 1_000_000_000),
      concurrency: 8,
      propertyRuns: 150,
      skip: new Set((process.env.VIGIL_FUZZ_SKIP ?? '').split(',').filter(Boolean)),
      longHolds: false,
      rssLimitMiB: 150,
    });
    // A time box proves little unless it did real work: at least a few thousand frames.
    assertFuzzReport(report, { frames: 2000, cycles: 20 });
  });
});

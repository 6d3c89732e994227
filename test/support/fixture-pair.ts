/** A pair whose agent is a misbehaving fixture, with its once-file and pids file in the home. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after } from 'node:test';
import { waitFor } from '@vigil/shared/testing';
import { Pair, type PairOptions } from './pair.ts';
import { pidsWithEnv } from './processes.ts';

export interface FixturePairOptions extends Omit<PairOptions, 'fixture'> {
  /** Misbehave only on the first start, so a restarted fixture is healthy. */
  once?: boolean;
}

function preparePair(fixture: string, options: FixturePairOptions): Pair {
  const pair = new Pair({ ...options, fixture });
  const once = options.once ?? true;
  Object.assign(pair.env, {
    FIXTURE_PIDS_FILE: join(pair.home, 'fixture-pids.json'),
    ...(once ? { FIXTURE_ONCE_FILE: join(pair.home, 'fixture-once') } : {}),
    ...options.env,
  });
  return pair;
}

export async function fixturePair(fixture: string, options: FixturePairOptions = {}): Promise<Pair> {
  return preparePair(fixture, options).start();
}

/**
 * A `pairFor` for one test file: every pair it starts (or fails to start) is disposed after the
 * file's tests, processes and home included.
 */
export function trackFixturePairs(): (fixture: string, options?: FixturePairOptions) => Promise<Pair> {
  const pairs: Pair[] = [];
  after(async () => {
    for (const pair of pairs) await pair.dispose();
  });
  return (fixture, options = {}) => {
    const pair = preparePair(fixture, options);
    pairs.push(pair);
    return pair.start();
  };
}

/** How many times the fixture has started, from its "fixture started" lines in agent.log. */
export function fixtureStarts(pair: Pair): number {
  if (!existsSync(pair.paths.agentLog)) return 0;
  return readFileSync(pair.paths.agentLog, 'utf8')
    .split('\n')
    .filter((line) => line.includes('"fixture started"')).length;
}

/** After stopping the pair: no process that carries its VIGIL_HOME may be alive. */
export async function assertNothingLeft(pair: Pair): Promise<void> {
  await pair.stop();
  await waitFor(
    () => pidsWithEnv('VIGIL_HOME', pair.home).length === 0,
    3000,
    () => `no leftovers, found ${pidsWithEnv('VIGIL_HOME', pair.home).join(', ')}`,
  );
  assert.deepEqual(pidsWithEnv('VIGIL_HOME', pair.home), []);
}

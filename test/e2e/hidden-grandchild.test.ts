// An agent's grandchild that called setsid, was orphaned by a double fork and cleared its
// environment (`env -i`) is in neither the agent's process group nor its token's reach. It must
// still be gone after `vigil recover hard`, after a clean stop of the pair, and after the agent
// crashes by itself.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { waitFor } from '@vigil/shared/testing';
import { assertNothingLeft, trackFixturePairs } from '../support/fixture-pair.ts';
import type { Pair } from '../support/pair.ts';
import { isAlive } from '../support/processes.ts';

const pairFor = trackFixturePairs();
const grandchildren: number[] = [];
after(() => {
  for (const pid of grandchildren) {
    try {
      if (pid > 1) process.kill(pid, 'SIGKILL');
    } catch {
      // gone, as it should be
    }
  }
});

function statFields(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** Waits for the fixture's hidden grandchild and checks that it really hides. */
async function hiddenGrandchild(pair: Pair): Promise<{ fixture: number; grandchild: number }> {
  const file = pair.env.FIXTURE_PIDS_FILE as string;
  let pids: { fixture: number; grandchild: number } | undefined;
  await waitFor(
    () => {
      try {
        pids = JSON.parse(readFileSync(file, 'utf8'));
        return true;
      } catch {
        return false;
      }
    },
    10_000,
    'the fixture hid its grandchild',
  );
  const { fixture, grandchild } = pids as { fixture: number; grandchild: number };
  grandchildren.push(grandchild);
  // `env -i` has exec'd sleep once the command line says so; before that it still has the environment.
  await waitFor(
    () => readFileSync(`/proc/${grandchild}/cmdline`, 'latin1') === 'sleep\u00001000\u0000',
    5000,
    'the grandchild runs sleep',
  );
  const [, , pgrp, session] = statFields(grandchild);
  assert.notEqual(Number(pgrp), fixture, 'it left the agent process group');
  assert.notEqual(Number(session), Number(statFields(fixture)[3]), 'it left the agent session');
  assert.equal(readFileSync(`/proc/${grandchild}/environ`, 'latin1'), '', 'it carries no environment');
  return { fixture, grandchild };
}

/** The debug record in which the watchdog lists the agent's descendants it tracks. */
function tracked(pair: Pair): number[] {
  const lines = readFileSync(pair.paths.watchdogLog, 'utf8').split('\n').filter(Boolean);
  const pids = new Set<number>();
  for (const line of lines) {
    const record = JSON.parse(line) as { msg?: string; tracked?: number[] };
    if (record.msg === 'tracking the agent descendants')
      for (const pid of record.tracked ?? []) pids.add(pid);
  }
  return [...pids];
}

const options = { env: { FIXTURE_AFTER_MS: '200', VIGIL_LOG_LEVEL: 'debug' } };

describe('fixture: hides-a-grandchild', () => {
  test('vigil recover hard leaves no hidden grandchild', async () => {
    const pair = await pairFor('hides-a-grandchild', options);
    const first = await pair.waitForHealthy();
    const { grandchild } = await hiddenGrandchild(pair);
    const recover = pair.cli(['recover', 'hard']);
    assert.equal(recover.code, 0, recover.stderr);
    await pair.waitForStatus(
      (s) => s.agent.state === 'healthy' && s.agent.pid !== null && s.agent.pid !== first.agent.pid,
      15_000,
      'a new agent',
    );
    await waitFor(() => !isAlive(grandchild), 5000, `the hidden grandchild ${grandchild} gone`);
    await assertNothingLeft(pair);
  });

  test('a clean stop of the pair leaves no hidden grandchild', async () => {
    const pair = await pairFor('hides-a-grandchild', options);
    await pair.waitForHealthy();
    const { grandchild } = await hiddenGrandchild(pair);
    assert.equal(await pair.stop(), 0);
    await waitFor(() => !isAlive(grandchild), 5000, `the hidden grandchild ${grandchild} gone`);
  });

  test('an agent that crashes by itself leaves no hidden grandchild behind', async () => {
    const pair = await pairFor('hides-a-grandchild', options);
    await pair.waitForHealthy();
    const { grandchild } = await hiddenGrandchild(pair);
    // The crash orphans it at once: only what the watchdog saw while the agent ran can be swept.
    await waitFor(
      () => tracked(pair).includes(grandchild),
      10_000,
      () => `the watchdog tracks ${grandchild}; tracked: ${tracked(pair).join(', ')}`,
    );
    const crash = pair.cli(['chaos', 'crash']);
    assert.equal(crash.code, 0, crash.stderr);
    await pair.waitForIncident((i) => i.signal === 'exit', 10_000, 'the crash incident');
    await waitFor(() => !isAlive(grandchild), 5000, `the hidden grandchild ${grandchild} gone`);
    await pair.waitForHealthy();
    await assertNothingLeft(pair);
  });
});

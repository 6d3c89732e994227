// A healthy, connected agent killed outright: the watchdog restarts it and the new agent's
// hello is taken at once. The dead agent's session must not outlive it (its socket rests
// between looks, so its end is not read by itself) and make the new agent wait out the
// no-hello deadline.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { waitFor } from '@vigil/shared/testing';
import { Pair } from '../support/pair.ts';
import { type IncidentSummary, readIncidents } from '../support/read-incidents.ts';

const pairs: Pair[] = [];
after(async () => {
  for (const pair of pairs) await pair.dispose();
});

describe('an agent killed by SIGKILL', () => {
  test('is restarted on the hard rung, and its successor is admitted at its first hello', async () => {
    // The socket rests between looks (half the timeout apart) once the first look found a fresh beat.
    const pair = new Pair({ watchdog: { heartbeat: { intervalMs: 250, timeoutMs: 3000 } } });
    pairs.push(pair);
    await pair.start();
    const first = await pair.waitForHealthy(20_000);
    const pid = first.agent.pid as number;
    // No status request meanwhile (each one reads the socket): past the first look, it rests.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    process.kill(pid, 'SIGKILL');
    // Watched from the history file, not the control socket: a status request reads the
    // session's socket, which would hide a session left to its rest.
    let incident: IncidentSummary | undefined;
    await waitFor(
      () => {
        incident = readIncidents(pair.paths.historyFile).find(
          (i) => i.signal === 'exit' && i.closedAt !== null,
        );
        return incident !== undefined;
      },
      30_000,
      'the kill recorded and closed',
    );
    assert.deepEqual(incident?.rungs, ['hard'], 'one hard rung: no second try after a no-hello');
    assert.equal(incident?.outcome, 'restarted');
    const now = await pair.waitForHealthy(20_000);
    assert.notEqual(now.agent.pid, pid);
    assert.equal(now.agent.restarts, 1);
    const log = readFileSync(pair.paths.watchdogLog, 'utf8');
    assert.doesNotMatch(log, /refused a hello/, 'no hello of the new agent was refused');
  });
});

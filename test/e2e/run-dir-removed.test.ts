// The run folder removed under a running pair (tmpfs cleaned, an operator's rm -rf): the next
// agent start recreates it and records the agent, so the watchdog stays up and the next
// watchdog finds exactly one agent to adopt — never an unrecorded second one.
import assert from 'node:assert/strict';
import { existsSync, rmSync, statSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { Pair } from '../support/pair.ts';
import { isAlive, pidsWithEnv } from '../support/processes.ts';
import { waitFor } from '../support/wait-for.ts';

describe('run folder removed while running', () => {
  const pair = new Pair();
  after(() => pair.dispose());

  test('an agent restart after rm -rf run/: watchdog alive, pid file present, one agent; the next watchdog adopts it', async () => {
    await pair.start();
    const first = await pair.waitForHealthy();
    const firstPid = first.agent.pid as number;
    rmSync(pair.paths.runDir, { recursive: true, force: true });
    process.kill(firstPid, 'SIGKILL');
    await waitFor(
      () => {
        const pid = pair.agentPidFromFile();
        return pid !== null && pid !== firstPid && isAlive(pid);
      },
      20_000,
      () => `a new agent recorded in agent.pid; output:\n${pair.output}`,
    );
    const watchdogPid = pair.watchdog?.pid as number;
    assert.ok(isAlive(watchdogPid), 'the watchdog is alive');
    assert.equal(pair.watchdog?.exitCode, null);
    assert.equal(statSync(pair.paths.runDir).mode & 0o777, 0o700, 'the run folder came back, 0700');
    const recorded = pair.agentPidFromFile() as number;
    const agents = pidsWithEnv('VIGIL_HOME', pair.home).filter((pid) => pid !== watchdogPid);
    assert.deepEqual(agents, [recorded], 'one agent, and it is the recorded one');
    await waitFor(() => existsSync(pair.paths.statusFile), 10_000, 'status.json written again');

    // A new watchdog (the old one killed) adopts the recorded agent instead of starting a second.
    await pair.killWatchdog();
    await pair.start();
    const status = await pair.waitForHealthy(20_000);
    const after = pidsWithEnv('VIGIL_HOME', pair.home).filter((pid) => pid !== status.watchdog.pid);
    assert.equal(after.length, 1, `exactly one agent after the restart: ${after.join(', ')}`);
  });
});

// The run folder removed under a running pair (tmpfs cleaned, an operator's rm -rf): the next
// agent start recreates it and records the agent, so the watchdog stays up and the next
// watchdog finds exactly one agent to adopt — never an unrecorded second one.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { waitFor } from '@vigil/shared/testing';
import { Pair } from '../support/pair.ts';
import { isAlive, pidsWithEnv } from '../support/processes.ts';

describe('run folder removed while running', () => {
  const pair = new Pair();
  after(() => pair.dispose());

  test('an agent restart after rm -rf run/: watchdog alive, pid file present, one agent; the next watchdog adopts it', async () => {
    await pair.start();
    const first = await pair.waitForHealthy();
    const firstPid = first.agent.pid as number;
    // Like `rm -rf` racing a live watchdog: what it writes between the listing and the rmdir
    // (a status temp file, its socket listened again) makes rmdir fail with ENOTEMPTY; rmSync's
    // own retries only retry the rmdir, so the whole removal goes again until one gets through.
    for (let attempt = 1; ; attempt++) {
      try {
        rmSync(pair.paths.runDir, { recursive: true, force: true });
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOTEMPTY' || attempt >= 200) throw error;
      }
    }
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

  test('a pid file that cannot be written: the agent just started is stopped, the start counts as failed', async () => {
    const blocked = new Pair();
    try {
      // A folder where agent.pid goes: every write of it fails, however the run folder is made.
      mkdirSync(join(blocked.paths.agentPidFile, 'in-the-way'), { recursive: true });
      await blocked.start();
      await waitFor(
        () =>
          /cannot write the pid file; stopping the agent just started/.test(
            readFileSync(blocked.paths.watchdogLog, 'utf8'),
          ),
        20_000,
        'the refusal in the log',
      );
      const status = await blocked.status();
      assert.notEqual(status.agent.state, 'healthy');
      rmSync(blocked.paths.agentPidFile, { recursive: true });
      const healthy = await blocked.waitForHealthy(60_000);
      assert.equal(blocked.agentPidFromFile(), healthy.agent.pid);
      const agents = pidsWithEnv('VIGIL_HOME', blocked.home).filter((pid) => pid !== healthy.watchdog.pid);
      assert.deepEqual(agents, [healthy.agent.pid], 'no unrecorded agent was left behind');
      const incidents = await blocked.history();
      assert.ok(
        incidents.some((i) => i.timeline.some((e) => /cannot write .*agent\.pid/.test(e.detail ?? ''))),
        JSON.stringify(incidents.map((i) => i.timeline)),
      );
    } finally {
      await blocked.dispose();
    }
  });
});

// Two watchdogs started at the same moment on one home, many rounds: exactly one runs, the
// other exits 1 naming it, and the winner's lock and sockets are intact afterwards.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { lstatSync, readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { isAnswering, type StatusSnapshot } from '@vigil/shared';
import { waitFor } from '@vigil/shared/testing';
import { Pair, VIGIL_BIN } from '../support/pair.ts';
import { pidsWithEnv } from '../support/processes.ts';

interface Run {
  child: ChildProcess;
  output: string;
  exited: Promise<number | null>;
  code: number | null | undefined;
}

describe('two watchdogs at once', () => {
  const pair = new Pair();
  const runs: Run[] = [];
  after(async () => {
    for (const run of runs) if (run.child.exitCode === null) run.child.kill('SIGKILL');
    await pair.dispose();
  });

  function launch(): Run {
    const child = spawn(process.execPath, [VIGIL_BIN, 'run'], {
      env: pair.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const run: Run = { child, output: '', exited: Promise.resolve(null), code: undefined };
    child.stdout?.on('data', (d) => {
      run.output += d;
    });
    child.stderr?.on('data', (d) => {
      run.output += d;
    });
    run.exited = new Promise((resolve) =>
      child.once('exit', (code) => {
        run.code = code;
        resolve(code);
      }),
    );
    runs.push(run);
    return run;
  }

  test('8 rounds: one runs, the loser exits 1 naming it, the winner keeps its lock and sockets', async () => {
    for (let round = 0; round < 8; round++) {
      const both = [launch(), launch()];
      // The loser exits; the winner keeps running.
      await Promise.race(both.map((r) => r.exited));
      const loser = both.find((r) => r.code !== undefined) as Run;
      const winner = both.find((r) => r !== loser) as Run;
      assert.equal(loser.code, 1, `round ${round}: the loser exits 1:\n${loser.output}`);
      assert.match(
        loser.output,
        new RegExp(`another watchdog \\(pid ${winner.child.pid}\\)`),
        `round ${round}`,
      );
      // The winner may still be opening its sockets when the loser is already gone.
      let status: StatusSnapshot | undefined;
      await waitFor(
        async () => {
          status = await pair.status().catch(() => undefined);
          return status?.agent.state === 'healthy';
        },
        30_000,
        () => `round ${round}: the winner healthy; its output:\n${winner.output}`,
      );
      if (!status) throw new Error('unreachable');
      assert.equal(status.watchdog.pid, winner.child.pid, `round ${round}: the winner answers`);
      assert.equal(winner.code, undefined, `round ${round}: the winner runs`);
      assert.equal(JSON.parse(readFileSync(pair.paths.lockFile, 'utf8')).pid, winner.child.pid);
      for (const socket of [pair.paths.agentSocket, pair.paths.controlSocket, pair.paths.statusSocket]) {
        assert.ok(lstatSync(socket).isSocket(), `round ${round}: ${socket} is there`);
        assert.ok(await isAnswering(socket), `round ${round}: ${socket} answers`);
      }
      const agents = pidsWithEnv('VIGIL_HOME', pair.home).filter((pid) => pid !== winner.child.pid);
      assert.deepEqual(agents, [status.agent.pid], `round ${round}: one agent`);
      winner.child.kill('SIGTERM');
      assert.equal(await winner.exited, 0, `round ${round}: the winner stops cleanly`);
      await waitFor(() => pidsWithEnv('VIGIL_HOME', pair.home).length === 0, 10_000, 'the pair gone');
    }
  });
});

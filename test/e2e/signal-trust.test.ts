// The watchdog signals only a process it can prove is the agent it started. A tampered
// run/agent.pid that names a live stranger (with its real command line and start time), or
// pid 1, is not adopted, and nothing outside the agent receives a signal — through start,
// `vigil recover hard` and the stop of the pair.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { Pair } from '../support/pair.ts';
import { isAlive } from '../support/processes.ts';
import { type SignalRecorder, startSignalRecorder } from '../support/signal-recorder.ts';

const dir = mkdtempSync('/tmp/vg-trust-');
const recorders: SignalRecorder[] = [];
const pairs: Pair[] = [];
after(async () => {
  for (const pair of pairs) {
    // Never leave a hostile pid file for the cleanup to act on.
    rmSync(pair.paths.agentPidFile, { force: true });
    await pair.dispose();
  }
  for (const recorder of recorders) recorder.kill();
  rmSync(dir, { recursive: true, force: true });
});

function procIdentity(pid: number): { startTicks: number; cmdline: string[] } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  if (cmdline.at(-1) === '') cmdline.pop();
  return { startTicks: Number(fields[19]), cmdline };
}

function plantPidFile(pair: Pair, pid: number): void {
  const { startTicks, cmdline } = procIdentity(pid);
  const record = {
    pid,
    startTicks,
    startedAt: Date.now(),
    cmdline,
    instance: randomUUID(),
    watchdogPid: 4242,
  };
  mkdirSync(pair.paths.runDir, { recursive: true, mode: 0o700 });
  writeFileSync(pair.paths.agentPidFile, `${pid}\n${JSON.stringify(record)}\n`);
}

function watchdogRecords(pair: Pair): Array<Record<string, unknown>> {
  return readFileSync(pair.paths.watchdogLog, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Start, a hard recovery by the operator, a clean stop: the agent is restarted, the stranger untouched. */
async function exercise(pair: Pair, stranger: SignalRecorder): Promise<void> {
  await pair.start();
  const first = await pair.waitForHealthy();
  assert.notEqual(first.agent.pid, stranger.pid);
  assert.equal(first.agent.adopted, false, 'the planted pid was not adopted');
  const recover = pair.cli(['recover', 'hard']);
  assert.equal(recover.code, 0, recover.stderr);
  await pair.waitForStatus(
    (s) => s.agent.state === 'healthy' && s.agent.pid !== null && s.agent.pid !== first.agent.pid,
    15_000,
    'a new agent after the hard recovery',
  );
  assert.equal(await pair.stop(), 0);
  assert.ok(isAlive(stranger.pid), 'the stranger survived');
  assert.deepEqual(stranger.signals(), [], 'the stranger received no signal');
}

describe('a tampered agent.pid', () => {
  test('naming a live node process with its real command line and start time: not adopted, never signalled', async () => {
    // It even carries an instance token, just not the recorded one.
    const stranger = await startSignalRecorder(dir, { VIGIL_AGENT_INSTANCE: randomUUID() });
    recorders.push(stranger);
    const pair = new Pair();
    pairs.push(pair);
    plantPidFile(pair, stranger.pid);
    await exercise(pair, stranger);
    const refusal = watchdogRecords(pair).find((r) => r.msg === 'not adopting the recorded agent');
    assert.match(String(refusal?.reason), /instance token/);
  });

  test('naming pid 1: nothing outside the agent is signalled', async () => {
    const stranger = await startSignalRecorder(dir);
    recorders.push(stranger);
    const pair = new Pair();
    pairs.push(pair);
    plantPidFile(pair, 1);
    await exercise(pair, stranger);
    assert.ok(isAlive(1));
  });
});

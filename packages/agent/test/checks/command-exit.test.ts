import assert from 'node:assert/strict';
import { test } from 'node:test';
import { paced, waitFor } from '@vigil/shared/testing';
import psList from 'ps-list';
import { createCommandExitCheck } from '../../src/checks/command-exit.ts';
import { checkConfig } from './support/check-config.ts';

const signal = () => AbortSignal.timeout(10_000);
const command = (argv: string[], extra: { expectExit?: number; warnExit?: number } = {}) =>
  createCommandExitCheck(checkConfig({ type: 'command', name: 'cmd', command: argv, ...extra }));

test('exit 0 is ok, any other exit is critical', async () => {
  const ok = await command(['true']).run(signal());
  assert.deepEqual(ok, { status: 'ok', summary: 'exit 0', value: 0, unit: 'exit code' });
  const failed = await command(['false']).run(signal());
  assert.equal(failed.status, 'critical');
  assert.equal(failed.summary, 'exit 1');
  assert.equal((await command(['false'], { expectExit: 1 }).run(signal())).status, 'ok');
});

test('warnExit is a warning, and the first line of output is the summary', async () => {
  const script = 'echo "  queue depth 812  "; echo "second line" >&2; exit 2';
  const outcome = await command(['sh', '-c', script], { warnExit: 2 }).run(signal());
  assert.equal(outcome.status, 'warn');
  assert.equal(outcome.summary, 'exit 2: queue depth 812');
  assert.equal(outcome.value, 2);
});

test('long output is cut to 200 characters', async () => {
  const outcome = await command(['sh', '-c', `printf '%0500d' 0; exit 3`]).run(signal());
  assert.equal(outcome.status, 'critical');
  assert.ok(outcome.summary.length <= 200, `${outcome.summary.length} characters`);
  assert.match(outcome.summary, /^exit 3: 0+…$/);
});

test('arguments are passed as they are: no shell interpolation', async () => {
  const outcome = await command(['echo', '$HOME; exit 7']).run(signal());
  assert.equal(outcome.summary, 'exit 0: $HOME; exit 7');
});

test('a command that cannot be started is critical', async () => {
  const outcome = await command(['/no/such/vigil-probe']).run(signal());
  assert.equal(outcome.status, 'critical');
  assert.match(outcome.summary, /^cannot run \/no\/such\/vigil-probe: .*ENOENT/);
});

test('a command past its timeout is killed with its children, promptly', async () => {
  // A unique duration marks the grandchild, so the test can find it in the process list.
  const seconds = `31.${process.pid}${Math.floor(Math.random() * 1e6)}`;
  const sleeping = async () => (await psList()).some((p) => p.cmd?.includes(seconds));
  const check = command(['sh', '-c', `echo started; sleep ${seconds}; echo never`]);
  const controller = new AbortController();
  const running = check.run(controller.signal);
  await waitFor(sleeping, 5000, () => `sleep ${seconds} to start`);

  const abortedAt = Date.now();
  controller.abort();
  const outcome = await running;
  assert.ok(Date.now() - abortedAt < paced(3000), 'the run must not wait for the orphaned sleep');
  assert.equal(outcome.status, 'critical');
  assert.equal(outcome.summary, 'killed at timeout: started');
  await waitFor(
    async () => !(await sleeping()),
    5000,
    () => `sleep ${seconds} to be gone`,
  );
});

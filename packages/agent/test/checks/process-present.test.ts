import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import { after, test } from 'node:test';
import { ChildProcesses, waitFor } from '@vigil/shared/testing';
import { createProcessPresentCheck } from '../../src/checks/process-present.ts';
import { checkConfig } from './support/check-config.ts';

const signal = () => AbortSignal.timeout(10_000);
const children = new ChildProcesses();
after(() => children.killAll());

/** A node child that idles with a unique marker in its argv. */
function startMarked(marker: string) {
  return children.spawn(marker, {}, ['-e', 'setInterval(() => {}, 1000)']);
}

async function settleOn(check: ReturnType<typeof createProcessPresentCheck>, status: string) {
  let last = '';
  return waitFor(
    async () => {
      const outcome = await check.run(signal());
      last = outcome.summary;
      return outcome.status === status && outcome;
    },
    10_000,
    () => `status ${status} (last: ${last})`,
  );
}

test('a marked process is present; killed, it is missing and critical', async () => {
  const marker = `vigil-marker-${randomUUID()}`;
  const check = createProcessPresentCheck(
    checkConfig({
      type: 'process',
      name: 'marked',
      processName: basename(process.execPath),
      commandMatch: marker,
    }),
  );
  assert.equal((await check.run(signal())).status, 'critical');

  const child = startMarked(marker);
  const present = await settleOn(check, 'ok');
  assert.equal(present.value, 1);
  assert.match(
    present.summary,
    new RegExp(`^1 process with name=${basename(process.execPath)} cmd~/${marker}/ \\(min 1\\)$`),
  );

  child.child.kill('SIGKILL');
  await child.exited;
  const gone = await check.run(signal());
  assert.equal(gone.status, 'critical');
  assert.equal(gone.value, 0);
});

test('more than maxCount is a warning; the name alone must match exactly', async () => {
  const marker = `vigil-marker-${randomUUID()}`;
  const check = createProcessPresentCheck(
    checkConfig({ type: 'process', name: 'pair', commandMatch: marker, minCount: 1, maxCount: 1 }),
  );
  startMarked(marker);
  startMarked(marker);
  const crowded = await settleOn(check, 'warn');
  assert.equal(crowded.value, 2);
  assert.match(crowded.summary, /2 processes .*\(min 1, max 1\)$/);

  const wrongName = createProcessPresentCheck(
    checkConfig({ type: 'process', name: 'other', processName: 'nod', commandMatch: marker }),
  );
  assert.equal((await wrongName.run(signal())).value, 0);
});

test('the agent never counts itself', async () => {
  const check = createProcessPresentCheck(
    checkConfig({ type: 'process', name: 'self', commandMatch: '.', minCount: 0 }),
    { list: async () => [{ pid: process.pid, ppid: 1, name: 'node', cmd: 'node agent.js' }] },
  );
  assert.equal((await check.run(signal())).value, 0);
});

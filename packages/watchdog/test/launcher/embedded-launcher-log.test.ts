import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createLogger } from '@vigil/shared';
import { waitFor } from '@vigil/shared/testing';
import { EmbeddedLauncher } from '../../src/launcher/embedded-launcher.ts';
import { INSTANCE_ENV } from '../../src/process/descendants.ts';

const root = mkdtempSync('/tmp/vg-launch-log-');
after(() => rmSync(root, { recursive: true, force: true }));

const SCRIPT = `process.stdout.write('agent says hi\\n'); setInterval(() => {}, 1000);`;

function launcher(logFile: string, watchdogLog: string) {
  return new EmbeddedLauncher({
    command: () => [process.execPath, '-e', SCRIPT],
    environment: () => {
      const instance = randomUUID();
      return { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', [INSTANCE_ENV]: instance }, instance };
    },
    logFile,
    logger: createLogger({ component: 'watchdog', file: watchdogLog, repeats: false }),
  });
}

const messages = (file: string) =>
  existsSync(file)
    ? readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => String(JSON.parse(l).msg))
    : [];

describe('the agent.log descriptor of an embedded start', () => {
  test('when agent.log cannot be opened the agent still starts (on /dev/null), and that is said once', async () => {
    const dir = mkdtempSync(join(root, 'h-'));
    writeFileSync(join(dir, 'log'), 'a file where the log folder should be');
    const watchdogLog = join(dir, 'watchdog.log');
    const subject = launcher(join(dir, 'log', 'agent.log'), watchdogLog);
    for (let start = 0; start < 2; start++) {
      const agent = await subject.start();
      assert.ok(agent.pid > 1);
      assert.ok(subject.current(), 'the agent runs');
      await subject.stop({ graceMs: 2000 });
    }
    subject.close();
    const said = messages(watchdogLog).filter((m) => m.startsWith('cannot open agent.log'));
    assert.equal(said.length, 1, messages(watchdogLog).join('\n'));
  });

  test("otherwise the agent's stdout is appended to agent.log (created in a new, narrow folder)", async () => {
    const dir = mkdtempSync(join(root, 'h-'));
    const agentLog = join(dir, 'log', 'agent.log');
    const subject = launcher(agentLog, join(dir, 'watchdog.log'));
    await subject.start();
    await waitFor(
      () => existsSync(agentLog) && readFileSync(agentLog, 'utf8').includes('agent says hi'),
      10_000,
      'output',
    );
    await subject.stop({ graceMs: 2000 });
    subject.close();
    assert.equal(statSync(join(dir, 'log')).mode & 0o777, 0o750);
  });
});

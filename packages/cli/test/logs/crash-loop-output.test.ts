// A crash-looping agent prints only its stack trace, on stderr, into agent.log: no logged line
// of its own. `vigil logs` must still give each crash's lines that crash's time (not the file's
// mtime for all of them) and show them as warnings or errors, never as info.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createLogger } from '@vigil/shared';
import { EmbeddedLauncher } from '../../../watchdog/src/launcher/embedded-launcher.ts';
import { INSTANCE_ENV } from '../../../watchdog/src/process/descendants.ts';
import { records, runLogs } from './support/log-home.ts';

const home = mkdtempSync('/tmp/vg-crash-loop-');
after(() => rmSync(home, { recursive: true, force: true }));

const CRASH = `throw new Error('boom on boot')`;

test("each crash's stderr lines take the time of that start, as WARN or ERROR", async () => {
  const agentLog = join(home, 'log', 'agent.log');
  const launcher = new EmbeddedLauncher({
    command: () => [process.execPath, '-e', CRASH],
    environment: () => {
      const instance = randomUUID();
      return { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', [INSTANCE_ENV]: instance }, instance };
    },
    logFile: agentLog,
    logger: createLogger({ component: 'watchdog', file: join(home, 'log', 'watchdog.log'), repeats: false }),
  });
  const crashes = 3;
  for (let i = 0; i < crashes; i++) {
    const exited = new Promise((resolve) => launcher.onExit(resolve));
    await launcher.start();
    await exited;
  }
  launcher.close();

  // Where each crash's output starts in the file, and the time the watchdog marked it with.
  const onDisk = readFileSync(agentLog, 'utf8')
    .split('\n')
    .filter((line) => line !== '');
  const starts: number[] = [];
  const expected: number[] = [];
  for (const line of onDisk) {
    if (line.startsWith('{')) starts.push(JSON.parse(line).time as number);
    else expected.push(starts.at(-1) as number);
  }
  assert.equal(starts.length, crashes, onDisk.join('\n'));
  assert.equal(new Set(starts).size, crashes, 'each start has its own time');

  const result = await runLogs(['--json', '--unit', 'agent', '-n', '1000'], { VIGIL_HOME: home });
  assert.equal(result.code, 0, result.stderr);
  const shown = records(result.stdout);
  assert.ok(shown.length > crashes * 3, result.stdout);
  assert.ok(
    shown.every((r) => r.raw === true),
    'the start marks are not shown',
  );
  assert.deepEqual(
    shown.map((r) => r.time),
    expected,
  );
  for (const record of shown) {
    const msg = String(record.msg);
    assert.ok((record.level as number) >= 40, `${msg} at level ${record.level}`);
    if (msg.startsWith('Error: boom on boot')) assert.equal(record.level, 50);
  }
  assert.equal(shown.filter((r) => String(r.msg).startsWith('Error: boom on boot')).length, crashes);
});

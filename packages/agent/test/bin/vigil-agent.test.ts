import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ChildProcesses, jsonLines, paced } from '@vigil/shared/testing';
import { FakeWatchdog } from '../../../agent-sdk/test/support/fake-watchdog.ts';

const BIN = fileURLToPath(import.meta.resolve('@vigil/agent/bin/vigil-agent'));

describe('vigil-agent', () => {
  const children = new ChildProcesses();
  const watchdogs: FakeWatchdog[] = [];

  afterEach(async () => {
    await children.killAll();
    await Promise.all(watchdogs.splice(0).map((w) => w.dispose()));
  });
  // Its own home and a free metrics port, so it never touches a checkout's .vigil or port 9464.
  const home = mkdtempSync('/tmp/vg-agent-bin-');
  const config = join(home, 'vigil.json');
  writeFileSync(config, JSON.stringify({ agent: { metrics: { listen: '127.0.0.1:0' } } }));
  after(async () => {
    await children.killAll();
    rmSync(home, { recursive: true, force: true });
  });

  test('--help documents environment, signals and exit codes', () => {
    const run = spawnSync(process.execPath, [BIN, '--help'], { encoding: 'utf8' });
    assert.equal(run.status, 0);
    for (const word of [
      'VIGIL_AGENT_SOCKET',
      'VIGIL_HEARTBEAT_MS',
      'VIGIL_FAULTS',
      'VIGIL_REPORT_DIR',
      'SIGTERM',
    ]) {
      assert.ok(run.stdout.includes(word), `--help mentions ${word}`);
    }
    assert.match(run.stdout, /Exit codes:/);
  });

  test('an unknown argument is a usage error with exit code 2', () => {
    const run = spawnSync(process.execPath, [BIN, '--frobnicate'], { encoding: 'utf8' });
    assert.equal(run.status, 2);
    assert.match(run.stderr, /frobnicate/);
    assert.match(run.stderr, /hint: .*--help/);
  });

  test('connects as vigil-agent, reports ready, degrades on medium, and stops on SIGTERM', async () => {
    const watchdog = await FakeWatchdog.start();
    watchdogs.push(watchdog);
    const { child, exited, stdout } = children.spawn(
      BIN,
      { VIGIL_AGENT_SOCKET: watchdog.path, VIGIL_HOME: home, VIGIL_CONFIG: config },
      ['--expose-gc'],
    );
    const [hello] = await watchdog.waitForHellos(1, 10_000);
    assert.equal(hello?.name, 'vigil-agent');
    assert.equal(hello?.pid, child.pid);
    await watchdog.nextBeat((b) => b.state === 'ready');
    const soft = await watchdog.command({ cmd: 'recover', level: 'soft' });
    assert.match(soft.did[0] ?? '', /^gc: freed/);
    const medium = await watchdog.command({ cmd: 'recover', level: 'medium' });
    assert.deepEqual(medium.did, [
      'paused non-critical checks: memory, load',
      'check frequency halved',
      'new remediation refused',
      'state: degraded',
    ]);
    await watchdog.nextBeat((b) => b.state === 'degraded');
    const fault = await watchdog.command({ cmd: 'fault', fault: { name: 'crash' } });
    assert.match(fault.error ?? '', /VIGIL_FAULTS_DISABLED/);
    const started = Date.now();
    child.kill('SIGTERM');
    assert.deepEqual(await exited, { code: 0, signal: null });
    assert.ok(Date.now() - started < paced(1500), 'a graceful stop is quick');
    assert.equal(watchdog.heartbeats.at(-1)?.state, 'stopping', 'the last beat says it is stopping');
    const messages = jsonLines(stdout()).map((r) => r.msg);
    assert.ok(messages.includes('connected to the watchdog'));
    assert.ok(messages.includes('stopped'));
  });
});

// The agent's live config, in process against real files: applied, rejected, half-written,
// deleted, rolled back on a failed apply, and picked up by the file watcher on its own.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { quietLogger, waitFor } from '@vigil/shared/testing';
import { AgentRuntime } from '../../src/runtime/agent-runtime.ts';

const dir = mkdtempSync('/tmp/vg-live-');
const file = join(dir, 'vigil.yaml');
const auditFile = join(dir, 'state', 'config-audit.jsonl');

function config(checks: string, listen = '127.0.0.1:0'): string {
  return `agent:\n  metrics: { listen: "${listen}" }\n  checks:\n${checks}`;
}
const check = (name: string, intervalMs = 200) =>
  `    - { type: load, name: ${name}, intervalMs: ${intervalMs}, timeoutMs: 100 }\n`;

function audit(): { action: string; changes?: Record<string, string[]>; errors?: string[] }[] {
  return readFileSync(auditFile, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
}
const lastAudit = () => audit().at(-1);
const names = (runtime: AgentRuntime) =>
  runtime.registry
    .states()
    .map((s) => s.name)
    .sort();

describe('live config', () => {
  let runtime: AgentRuntime;
  let occupied: Server;

  before(async () => {
    writeFileSync(file, config(check('a')));
    runtime = new AgentRuntime({
      logger: quietLogger(),
      env: { VIGIL_HOME: dir, VIGIL_AGENT_SOCKET: join(dir, 'absent.sock') },
      configFile: file,
    });
    await runtime.start();
    occupied = createServer().listen(0, '127.0.0.1');
    await once(occupied, 'listening');
  });
  after(async () => {
    await runtime.stop();
    occupied.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the file it started with is loaded and audited', () => {
    assert.deepEqual(names(runtime), ['a']);
    assert.equal(audit()[0]?.action, 'loaded');
  });

  test('a valid change is applied: only what changed', async () => {
    writeFileSync(file, config(check('a') + check('b')));
    await runtime.reload();
    assert.deepEqual(names(runtime), ['a', 'b']);
    assert.equal(lastAudit()?.action, 'applied');
    assert.deepEqual(lastAudit()?.changes?.checks, ['added b']);
    writeFileSync(file, config(check('a', 400) + check('b')));
    await runtime.reload();
    assert.deepEqual(lastAudit()?.changes?.checks, ['retuned a']);
    assert.ok(
      readFileSync(join(dir, 'state', 'agent-config.backup.json'), 'utf8').includes('"intervalMs": 200'),
      'the previous config was backed up',
    );
  });

  test('an invalid change is rejected with path-precise errors; the running config stays', async () => {
    writeFileSync(file, config(`    - { type: tcp, name: c }\n`));
    await runtime.reload();
    assert.equal(lastAudit()?.action, 'rejected');
    assert.deepEqual(lastAudit()?.errors, ['agent.checks[0].port: is required']);
    assert.deepEqual(names(runtime), ['a', 'b']);
    assert.equal(runtime.config.agent.checks.length, 2);
  });

  test('a half-written file is rejected, and the full write then applies', async () => {
    const full = config(check('a') + check('d'));
    writeFileSync(file, full.slice(0, full.length - 25));
    await runtime.reload();
    assert.equal(lastAudit()?.action, 'rejected');
    assert.deepEqual(names(runtime), ['a', 'b']);
    writeFileSync(file, full);
    await runtime.reload();
    assert.deepEqual(names(runtime), ['a', 'd']);
  });

  test('a deleted file keeps the running config; a new file applies', async () => {
    rmSync(file);
    await runtime.reload();
    assert.equal(lastAudit()?.action, 'deleted');
    assert.deepEqual(names(runtime), ['a', 'd']);
    writeFileSync(file, config(check('a')));
    await runtime.reload();
    assert.deepEqual(names(runtime), ['a']);
  });

  test('a change whose apply fails is rolled back: the old metrics address keeps serving', async () => {
    const before = runtime.metricsServer.address as string;
    const busy = (occupied.address() as { port: number }).port;
    writeFileSync(file, config(check('a') + check('e'), `127.0.0.1:${busy}`));
    await runtime.reload();
    assert.equal(lastAudit()?.action, 'rolled-back');
    assert.match(lastAudit()?.errors?.[0] ?? '', /EADDRINUSE/);
    assert.deepEqual(names(runtime), ['a'], 'the checks of the failed change were rolled back too');
    assert.equal(runtime.metricsServer.address, before);
    const response = await fetch(`http://${before}/metrics`);
    assert.equal(response.status, 200);
  });

  test('the watcher picks a change up by itself', async () => {
    writeFileSync(file, config(check('a') + check('watched')));
    await waitFor(() => names(runtime).includes('watched'), 8000, 'the watched change applied');
    assert.equal(lastAudit()?.action, 'applied');
  });
});

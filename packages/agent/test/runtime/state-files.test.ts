// Links planted at every file the agent writes in its state folder (the config audit, the
// running config and its backup, a file-integrity baseline): each is replaced or moved aside,
// and the file it points at — outside the home, readable by root only — is never written.
import assert from 'node:assert/strict';
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { quietLogger } from '@vigil/shared/testing';
import { AgentRuntime } from '../../src/runtime/agent-runtime.ts';

const dir = mkdtempSync('/tmp/vg-agent-state-');
after(() => rmSync(dir, { recursive: true, force: true }));

const config = (intervalMs: number) =>
  `agent:\n  metrics: { listen: "127.0.0.1:0" }\n  checks:\n    - { type: load, name: a, intervalMs: ${intervalMs}, timeoutMs: 100 }\n`;

describe('agent state files', () => {
  test('links planted at the audit log, the running config and its backup are never written through', async () => {
    const home = join(dir, 'home');
    const state = join(home, 'state');
    mkdirSync(state, { recursive: true, mode: 0o750 });
    const victims = join(dir, 'victims');
    mkdirSync(victims);
    const names = ['config-audit.jsonl', 'agent-config.running.json', 'agent-config.backup.json'];
    for (const name of names) {
      writeFileSync(join(victims, name), 'root only\n', { mode: 0o600 });
      symlinkSync(join(victims, name), join(state, name));
    }
    const file = join(home, 'vigil.yaml');
    writeFileSync(file, config(200));
    const runtime = new AgentRuntime({
      logger: quietLogger(),
      env: { VIGIL_HOME: home, VIGIL_AGENT_SOCKET: join(home, 'absent.sock') },
      configFile: file,
    });
    await runtime.start();
    try {
      writeFileSync(file, config(300));
      await runtime.reload();
    } finally {
      await runtime.stop();
    }
    for (const name of names) {
      assert.equal(
        readFileSync(join(victims, name), 'utf8'),
        'root only\n',
        `${name}: the target is untouched`,
      );
      assert.ok(lstatSync(join(state, name)).isFile(), `${name}: a regular file now`);
    }
    const audit = readFileSync(join(state, 'config-audit.jsonl'), 'utf8').trim().split('\n');
    assert.deepEqual(
      audit.map((line) => JSON.parse(line).action),
      ['loaded', 'applied'],
    );
    assert.match(readFileSync(join(state, 'agent-config.running.json'), 'utf8'), /"intervalMs": 300/);
    assert.match(readFileSync(join(state, 'agent-config.backup.json'), 'utf8'), /"intervalMs": 200/);
    assert.ok(
      readdirSync(state).some((n) => n.startsWith('config-audit.jsonl.planted-')),
      'the audit link was moved aside',
    );
  });

  test('a bad config file at start does not read a running config that is a link out of the home', () => {
    const home = join(dir, 'bad');
    const state = join(home, 'state');
    mkdirSync(state, { recursive: true, mode: 0o750 });
    const outside = join(dir, 'outside-running.json');
    writeFileSync(outside, JSON.stringify({ agent: { checks: [{ type: 'load', name: 'planted' }] } }));
    symlinkSync(outside, join(state, 'agent-config.running.json'));
    const file = join(home, 'vigil.yaml');
    writeFileSync(file, 'agent: [not valid');
    const runtime = new AgentRuntime({
      logger: quietLogger(),
      env: { VIGIL_HOME: home, VIGIL_AGENT_SOCKET: join(home, 'absent.sock') },
      configFile: file,
    });
    assert.ok(
      !runtime.config.agent.checks.some((c) => c.name === 'planted'),
      'the planted config was not used',
    );
  });
});

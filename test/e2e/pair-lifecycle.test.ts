import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { compileSchema, StatusSnapshot } from '@vigil/shared/schemas';
import { waitFor } from '@vigil/shared/testing';
import { Pair } from '../support/pair.ts';
import { isAlive, pidsWithEnv } from '../support/processes.ts';

const validateStatus = compileSchema(StatusSnapshot, 'status');

describe('the pair in embedded mode', () => {
  const pair = new Pair();
  after(() => pair.dispose());

  test('comes up healthy, with the files and modes of the contract', async () => {
    await pair.start();
    const status = await pair.waitForHealthy();
    const parsed = validateStatus(structuredClone(status));
    assert.ok(parsed.ok, JSON.stringify(parsed));
    assert.equal(status.watchdog.mode, 'embedded');
    assert.equal(status.watchdog.pid, pair.watchdog?.pid);
    assert.ok(status.agent.pid && isAlive(status.agent.pid));
    assert.equal(status.agent.restarts, 0);
    assert.equal(status.recovery.rung, 'none');
    assert.ok((status.agent.lastHeartbeatAgoMs ?? Infinity) < 1000);
    assert.equal(pair.agentPidFromFile(), status.agent.pid);
    for (const file of [pair.paths.statusFile, pair.paths.watchdogLog, pair.paths.agentLog]) {
      assert.ok(existsSync(file), `${file} exists`);
    }
    assert.equal(statSync(pair.paths.runDir).mode & 0o777, 0o700);
    assert.equal(statSync(pair.paths.agentSocket).mode & 0o777, 0o600);
    assert.equal(statSync(pair.paths.controlSocket).mode & 0o777, 0o600);
    assert.equal(statSync(pair.paths.statusSocket).mode & 0o777, 0o660);
    await waitFor(
      () => {
        const file = JSON.parse(readFileSync(pair.paths.statusFile, 'utf8'));
        return validateStatus(file).ok && file.agent.state === 'healthy';
      },
      5000,
      'status.json shows a healthy agent',
    );
  });

  test('a second watchdog on the same VIGIL_HOME refuses to start, naming the first', async () => {
    const second = pair.cli(['run']);
    assert.equal(second.code, 1);
    assert.match(
      second.stderr,
      new RegExp(`another watchdog \\(pid ${pair.watchdog?.pid}\\) is already running`),
    );
    const status = await pair.status();
    assert.equal(status.agent.state, 'healthy', 'the running pair is undisturbed');
  });

  test('a hung event loop is caught, the stack is kept, and the agent restarted', async () => {
    const before = await pair.status();
    const injected = pair.cli(['chaos', 'hang']);
    assert.equal(injected.code, 0, injected.stderr);
    const incident = await pair.waitForIncident(
      (i) => i.signal === 'heartbeat-lost',
      15_000,
      'a heartbeat-lost incident',
    );
    assert.equal(incident.outcome, 'restarted');
    assert.deepEqual(incident.rungs, ['hard']);
    assert.equal(incident.evidence?.source, 'stall-sentinel');
    assert.match(incident.evidence?.stack?.[0] ?? '', /blockEventLoop/);
    const kinds = incident.timeline.map((e) => e.kind);
    assert.deepEqual(kinds.slice(0, 2), ['opened', 'rung']);
    assert.ok(
      kinds.includes('evidence') && kinds.includes('stopped') && kinds.includes('started'),
      kinds.join(','),
    );
    const after = await pair.waitForHealthy();
    assert.notEqual(after.agent.pid, before.agent.pid);
    assert.equal(after.agent.restarts, 1);
    assert.equal(isAlive(before.agent.pid as number), false, 'the hung agent is gone');
  });

  test('a crash is restarted at once', async () => {
    const before = await pair.status();
    assert.equal(pair.cli(['chaos', 'crash', '--exit-code', '7']).code, 0);
    const incident = await pair.waitForIncident((i) => i.signal === 'exit', 10_000, 'an exit incident');
    assert.match(incident.detail ?? '', /exited with code 7/);
    const after = await pair.waitForHealthy();
    assert.notEqual(after.agent.pid, before.agent.pid);
  });

  test('the metrics textfile for node_exporter passes promtool and counts the incidents', async () => {
    await waitFor(
      () => readFileSync(pair.paths.promFile, 'utf8').includes('vigil_incidents_total{signal="exit"} 1'),
      12_000,
      'the textfile counts the crash',
    );
    const text = readFileSync(pair.paths.promFile, 'utf8');
    const lint = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    assert.equal(lint.status, 0, `promtool: ${lint.stdout}${lint.stderr}`);
    assert.match(text, /^vigil_agent_up 1$/m);
    assert.match(text, /^vigil_agent_state\{state="healthy"\} 1$/m);
    assert.match(text, /^vigil_incidents_total\{signal="heartbeat-lost"\} 1$/m);
    assert.match(text, /^vigil_rungs_total\{rung="hard"\} 2$/m);
  });

  test('SIGTERM stops the pair: agent first, nothing left behind', async () => {
    const status = await pair.status();
    const code = await pair.stop();
    assert.equal(code, 0);
    assert.equal(isAlive(status.agent.pid as number), false);
    assert.deepEqual(pidsWithEnv('VIGIL_HOME', pair.home), []);
    const final = JSON.parse(readFileSync(pair.paths.statusFile, 'utf8'));
    assert.equal(final.agent.state, 'stopped');
  });

  test('status with the watchdog stopped shows that it was stopped, by what, and exits 3', () => {
    const result = pair.cli(['status']);
    assert.equal(result.code, 3);
    // A clean stop is not a watchdog gone missing: no STALE, but when and why it stopped.
    assert.match(result.stdout, /● stopped {2}\(the pair was stopped: received SIGTERM, /);
    assert.doesNotMatch(result.stdout, /STALE/);
    assert.match(result.stderr, /not reachable/);
    const json = pair.cli(['status', '--json']);
    assert.equal(json.code, 3);
    assert.equal(JSON.parse(json.stdout).stale, true);
    const history = pair.cli(['history', '--json']);
    assert.equal(history.code, 0);
    assert.ok(JSON.parse(history.stdout).length >= 2, 'history is read from the file');
  });
});

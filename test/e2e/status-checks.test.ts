// `vigil status` per check: what the agent reports in its heartbeats reaches --json by name and
// the human view one line each, with the agent's name, version and last log lines.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { StatusSnapshot } from '@vigil/shared';
import { Pair } from '../support/pair.ts';

const pairs: Pair[] = [];
after(async () => {
  for (const pair of pairs) await pair.dispose();
});

describe('vigil status: each check', () => {
  test('--json has every check by name; the human view lists them and the last log lines', async () => {
    const pair = new Pair({
      agent: {
        checks: [
          {
            type: 'command',
            name: 'says-no',
            command: ['sh', '-c', 'echo "no <b>way</b>"; exit 1'],
            intervalMs: 300,
            timeoutMs: 250,
          },
          { type: 'memory', name: 'memory', intervalMs: 300, timeoutMs: 250 },
        ],
      },
    });
    pairs.push(pair);
    await pair.start();
    await pair.waitForHealthy();
    await pair.waitForStatus(
      (s) => s.checks?.['says-no']?.status === 'critical' && s.checks.memory?.lastRunAt !== null,
      15_000,
      'both checks run, says-no critical',
    );

    const json = pair.cli(['status', '--json']);
    const snapshot = JSON.parse(json.stdout) as StatusSnapshot;
    const checks = snapshot.checks ?? {};
    assert.deepEqual(Object.keys(checks).sort(), ['memory', 'says-no']);
    const no = checks['says-no'];
    assert.ok(no);
    assert.equal(no.type, 'command');
    assert.equal(no.status, 'critical');
    assert.equal(no.value, 1);
    assert.match(no.summary, /^exit 1: no <b>way<\/b>/);
    assert.ok(no.since > 0 && no.lastRunAt !== null && no.lastRunAt >= no.since - 1000);
    assert.equal(checks.memory?.type, 'memory');
    assert.equal(snapshot.agent.name, 'vigil-agent');
    assert.ok(snapshot.agent.version);

    const human = pair.cli(['status', '-n', '3'], { NO_COLOR: '1' });
    assert.equal(human.code, 0, human.stderr);
    const lines = human.stdout.split('\n');
    assert.match(
      lines.find((l) => l.startsWith('    says-no')) ?? '',
      /says-no\s+command\s+critical\s+exit 1: no <b>way<\/b>\s+since .* ago, last run .* ago/,
    );
    assert.match(human.stdout, /agent {6}vigil-agent {2}pid \d+ {2}v\d/);
    const log = lines.indexOf('  log');
    assert.ok(log > 0, human.stdout);
    const logLines = lines.slice(log + 1).filter((l) => l.startsWith('    '));
    assert.equal(logLines.length, 3, human.stdout);
    for (const line of logLines) assert.match(line, /^ {4}\d\d:\d\d:\d\d (INFO|WARN|ERROR|DEBUG) /);

    const none = pair.cli(['status', '-n', '0'], { NO_COLOR: '1' });
    assert.doesNotMatch(none.stdout, /^ {2}log/m);
    assert.equal(pair.cli(['status', '-n', 'x']).code, 64);
  });
});

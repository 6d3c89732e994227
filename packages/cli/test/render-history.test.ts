// `vigil history` for incidents whose evidence has no stack: an agent whose loop still turns
// (stopped or slowed heartbeats) answers SIGUSR2 with a diagnostic report that holds no frame
// at a hang. The evidence is real, taken from a real process, then rendered.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, describe, test } from 'node:test';
import { type Evidence, type Incident, systemClock } from '@vigil/shared';
import { collectEvidence } from '../../watchdog/src/recovery/evidence.ts';
import { renderHistory } from '../src/render-history.ts';
import { sampleIncident } from './snapshot-fixture.ts';

const dir = mkdtempSync('/tmp/vg-history-');
after(() => rmSync(dir, { recursive: true, force: true }));
const children: ChildProcess[] = [];
afterEach(async () => {
  await Promise.all(
    children.splice(0).map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = once(child, 'exit');
      child.kill('SIGKILL');
      await gone;
    }),
  );
});

/** A process whose loop keeps turning, ready once it has printed its first line. */
async function turningLoop(nodeArgs: string[]): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [...nodeArgs, '-e', "process.on('SIGUSR2', () => {}); setInterval(() => {}, 100); console.log('up')"],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  children.push(child);
  await once(child.stdout as NonNullable<typeof child.stdout>, 'data');
  return child;
}

async function evidenceOf(child: ChildProcess, state: string, timeoutMs: number): Promise<Evidence> {
  return collectEvidence({
    pid: child.pid as number,
    stallFile: undefined,
    reportDir: join(state, 'reports'),
    stateDir: state,
    lastBeatAgoMs: 2000,
    timeoutMs,
    clock: systemClock,
    sendSignal: (signal) => child.kill(signal),
  });
}

function historyWith(evidence: Evidence): string {
  const incident: Incident = { ...sampleIncident('heartbeat lost'), signal: 'heartbeat-lost', evidence };
  return renderHistory([incident], false, incident.openedAt + 60_000);
}

describe('vigil history: evidence without a stack', () => {
  test('a diagnostic report with no frame at a hang is shown by its path', async () => {
    const state = join(dir, 'report');
    mkdirSync(join(state, 'reports'), { recursive: true });
    const child = await turningLoop(['--report-on-signal', `--report-directory=${join(state, 'reports')}`]);
    const evidence = await evidenceOf(child, state, 10_000);
    assert.ok(evidence.reportPath, JSON.stringify(evidence));
    assert.equal(evidence.stack?.length ?? 0, 0, 'a turning loop leaves no stack');
    const line = historyWith(evidence)
      .split('\n')
      .find((l) => l.trimStart().startsWith('evidence'));
    assert.ok(line, historyWith(evidence));
    assert.ok(line.includes(`diagnostic report ${evidence.reportPath}`), line);
  });

  test('with no report at all, the note says why', async () => {
    const state = join(dir, 'no-report');
    mkdirSync(join(state, 'reports'), { recursive: true });
    const child = await turningLoop([]);
    const evidence = await evidenceOf(child, state, 100);
    assert.equal(evidence.reportPath, undefined);
    assert.ok(evidence.note);
    const out = historyWith(evidence);
    assert.ok(out.includes(`evidence ${evidence.note}`), out);
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MAX_WARNINGS } from '@vigil/shared';
import {
  compileSchema,
  type HeartbeatMessage,
  HeartbeatMessage as HeartbeatSchema,
} from '@vigil/shared/schemas';
import { HeartbeatLoop } from '../src/heartbeat-loop.ts';
import { SelfReport } from '../src/self-report.ts';

/** A loop whose beats are collected; beatNow() drives it, no timer is waited for. */
function loop(report: SelfReport) {
  const sent: HeartbeatMessage[] = [];
  const beats = new HeartbeatLoop({ intervalMs: 60_000, report, send: (m) => sent.push(m) });
  return { beats, sent };
}

describe('agent warnings in heartbeats', () => {
  test('sent in the first beat of a session and on change only; an empty list clears', () => {
    const report = new SelfReport();
    const { beats, sent } = loop(report);
    beats.start();
    beats.beatNow();
    assert.deepEqual(
      sent.map((m) => m.warnings),
      [undefined, undefined],
      'nothing to say: no field',
    );
    report.setWarning('metrics', 'metrics not served: 127.0.0.1:9464 is in use');
    beats.beatNow();
    beats.beatNow();
    report.setWarning('metrics', 'metrics not served: 127.0.0.1:9464 is in use');
    beats.beatNow();
    assert.deepEqual(
      sent.slice(2).map((m) => m.warnings),
      [['metrics not served: 127.0.0.1:9464 is in use'], undefined, undefined],
    );
    // A new session (a restarted watchdog) hears it again in its first beat.
    beats.stop();
    beats.start();
    assert.deepEqual(sent.at(-1)?.warnings, ['metrics not served: 127.0.0.1:9464 is in use']);
    report.setWarning('metrics', null);
    beats.beatNow();
    assert.deepEqual(sent.at(-1)?.warnings, []);
    beats.dispose();
  });

  test('few and short: what the heartbeat schema accepts, however many or long', () => {
    const report = new SelfReport();
    for (let i = 0; i < MAX_WARNINGS + 3; i++) report.setWarning(`k${i}`, `${i} ${'x'.repeat(5000)}`);
    const { beats, sent } = loop(report);
    beats.start();
    beats.dispose();
    const validate = compileSchema(HeartbeatSchema, 'heartbeat');
    const beat = sent[0] as HeartbeatMessage;
    assert.equal(beat.warnings?.length, MAX_WARNINGS);
    assert.ok(validate(beat).ok, JSON.stringify(validate(beat)));
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type CheckReport,
  MAX_CHECK_SUMMARY_CHARS,
  MAX_FRAME_BYTES,
  MAX_REPORTED_CHECKS,
} from '@vigil/shared';
import {
  compileSchema,
  type HeartbeatMessage,
  HeartbeatMessage as HeartbeatSchema,
} from '@vigil/shared/schemas';
import { boundCheckReports } from '../src/check-reports.ts';
import { HeartbeatLoop } from '../src/heartbeat-loop.ts';
import { SelfReport } from '../src/self-report.ts';

function report(summary = 'ok', lastRunAt: number | null = 1000): CheckReport {
  return { type: 'disk', status: 'ok', paused: false, summary, since: 500, lastRunAt, lastRunMs: 3 };
}

describe('per-check reports in heartbeats', () => {
  test('bounded: at most MAX_REPORTED_CHECKS, summaries cut, inside a frame even when all escapes', () => {
    // A control character costs six bytes in JSON: the worst case for the frame.
    const nasty = '\u0001'.repeat(5000);
    const entries = Array.from({ length: 500 }, (_, i): [string, CheckReport] => [
      `${'\u0002'.repeat(300)}${i}`,
      report(nasty),
    ]);
    const bounded = boundCheckReports(entries);
    const names = Object.keys(bounded);
    assert.ok(names.length > 0 && names.length <= MAX_REPORTED_CHECKS, `${names.length} checks`);
    for (const c of Object.values(bounded)) assert.ok(c.summary.length <= MAX_CHECK_SUMMARY_CHARS);
    for (const name of names) assert.ok(name.length <= 128);
    assert.ok(Buffer.byteLength(JSON.stringify(bounded)) <= MAX_FRAME_BYTES / 2);
    const few = boundCheckReports(
      Array.from({ length: 100 }, (_, i): [string, CheckReport] => [`c${i}`, report()]),
    );
    assert.equal(Object.keys(few).length, MAX_REPORTED_CHECKS);
  });

  test('sent in the first beat of a session and when a check changes, never otherwise; valid', () => {
    const validate = compileSchema(HeartbeatSchema);
    const selfReport = new SelfReport();
    const sent: HeartbeatMessage[] = [];
    const beats = new HeartbeatLoop({ intervalMs: 60_000, report: selfReport, send: (m) => sent.push(m) });
    let at = 1000;
    selfReport.setChecks(() => [
      ['disk-root', report('/ 20% used', at)],
      ['<script>alert(1)</script>', report('x', at)],
    ]);
    beats.start();
    beats.beatNow();
    at = 2000;
    beats.beatNow();
    beats.beatNow();
    beats.stop();
    beats.start();
    const withChecks = sent.map((m) => (m.checks ? Object.keys(m.checks).length : 0));
    assert.deepEqual(withChecks, [2, 0, 2, 0, 2]);
    assert.equal(sent[2]?.checks?.['disk-root']?.lastRunAt, 2000);
    for (const m of sent) assert.ok(validate(m).ok, JSON.stringify(m));
    beats.dispose();
  });

  test('with a revision, the source is read only when the stamp moves, and again in each new session', () => {
    const selfReport = new SelfReport();
    const sent: HeartbeatMessage[] = [];
    const beats = new HeartbeatLoop({ intervalMs: 60_000, report: selfReport, send: (m) => sent.push(m) });
    let at = 1000;
    let stamp = 1;
    let reads = 0;
    selfReport.setChecks(
      () => {
        reads++;
        return [['disk-root', report('/ 20% used', at)]];
      },
      () => stamp,
    );
    beats.start();
    beats.beatNow();
    beats.beatNow();
    assert.equal(reads, 1, 'the stamp held: read once, in the first beat');
    at = 2000;
    stamp = 2;
    beats.beatNow();
    beats.beatNow();
    assert.equal(reads, 2, 'the stamp moved: read once more');
    // A stamp that moves with reports that do not: read, compared, not sent again.
    stamp = 3;
    beats.beatNow();
    assert.equal(reads, 3);
    beats.stop();
    beats.start();
    assert.equal(reads, 4, 'a new session reads them again');
    // Another source whose stamps happen to match the old one's: read all the same.
    selfReport.setChecks(
      () => {
        reads++;
        return [['disk-root', report('/ 20% used', at)]];
      },
      () => stamp,
    );
    beats.beatNow();
    assert.equal(reads, 5, 'a new source is read at the next beat');
    const withChecks = sent.map((m) => (m.checks ? m.checks['disk-root']?.lastRunAt : null));
    assert.deepEqual(withChecks, [1000, null, null, 2000, null, null, 2000, null]);
    beats.dispose();
  });

  test('a revision that throws falls back to reading the source every beat', () => {
    const selfReport = new SelfReport();
    let reads = 0;
    selfReport.setChecks(
      () => {
        reads++;
        return [['disk-root', report()]];
      },
      () => {
        throw new Error('stamp gone');
      },
    );
    const sent: HeartbeatMessage[] = [];
    const beats = new HeartbeatLoop({ intervalMs: 60_000, report: selfReport, send: (m) => sent.push(m) });
    beats.start();
    beats.beatNow();
    beats.dispose();
    assert.equal(reads, 2);
    assert.ok(sent[0]?.checks);
  });

  test('a source that throws leaves the beat going without checks', () => {
    const selfReport = new SelfReport();
    selfReport.setChecks(() => {
      throw new Error('registry gone');
    });
    const sent: HeartbeatMessage[] = [];
    const beats = new HeartbeatLoop({ intervalMs: 60_000, report: selfReport, send: (m) => sent.push(m) });
    beats.start();
    beats.dispose();
    assert.equal(sent.length, 1);
    assert.equal(sent[0]?.checks, undefined);
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkStatus } from '@vigil/shared';
import { renderStatus } from '../src/render-status.ts';
import { sampleSnapshot } from './snapshot-fixture.ts';

const EVIL = '\u001b]0;pwned\u0007\u001b[2J\u009b31m\u007f\r';

/** Code points a terminal may act on (newline aside). */
function controlsIn(text: string): number[] {
  return [...text]
    .map((char) => char.codePointAt(0) as number)
    .filter((code) => (code < 0x20 && code !== 0x0a) || (code >= 0x7f && code <= 0x9f));
}

describe('vigil status: each check', () => {
  const now = Date.now();
  const snapshot = {
    ...sampleSnapshot('disk ok', now),
    checks: {
      'disk-root': {
        type: 'disk',
        status: 'warn' as const,
        paused: false,
        summary: '/ 91.2% used (warn ≥ 85%)',
        value: 91.2,
        unit: '%',
        since: now - 120_000,
        lastRunAt: now - 4000,
        lastRunMs: 12,
      },
      [`evil${EVIL}`]: {
        type: 'command',
        status: 'critical' as const,
        paused: false,
        summary: `exit 1${EVIL}\nFAKE ok line`,
        since: now - 1000,
        lastRunAt: null,
        lastRunMs: null,
      },
    },
  };

  test('the snapshot with checks is valid against the status contract', () => {
    assert.ok(checkStatus(snapshot).ok);
    assert.equal(checkStatus({ ...snapshot, checks: { x: { type: 'disk' } } }).ok, false);
  });

  test('name, type, state, summary, since when and the last run, one line each', () => {
    const text = renderStatus(snapshot, { color: false });
    const line = text.split('\n').find((l) => l.includes('disk-root')) ?? '';
    assert.match(
      line,
      /disk-root\s+disk\s+warn\s+\/ 91\.2% used \(warn ≥ 85%\)\s+since 2m00s ago, last run 4\.0 s ago \(12 ms\)/,
    );
    assert.match(text, /… and 1 more/, 'health counts 3, two reported');
  });

  test("the agent's text cannot reach the terminal as control characters", () => {
    const text = renderStatus(snapshot, { color: false });
    assert.deepEqual(controlsIn(text), []);
    const evil = text.split('\n').filter((l) => l.includes('evil'));
    assert.equal(evil.length, 1, 'a summary cannot start a line of its own');
    assert.match(evil[0] ?? '', /critical.*last run never/);
  });
});

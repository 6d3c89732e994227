import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { renderFrame } from '../src/live-frame.ts';
import { FrameWriter } from '../src/live-view.ts';
import { sampleSnapshot } from './snapshot-fixture.ts';

describe('vigil top: frames', () => {
  const options = { color: false, width: 100 };

  test('an idle pair draws the same frame: heartbeat age and uptime do not redraw it', () => {
    const a = sampleSnapshot('disk ok', 1_764_000_000_000);
    const b = {
      ...a,
      updatedAt: a.updatedAt + 500,
      agent: { ...a.agent, lastHeartbeatAgoMs: 310, uptimeMs: (a.agent.uptimeMs ?? 0) + 500 },
    };
    assert.equal(renderFrame({ snapshot: a }, options), renderFrame({ snapshot: b }, options));
    const worse = { ...a, agent: { ...a.agent, lastHeartbeatAgoMs: 2500 } };
    assert.notEqual(renderFrame({ snapshot: a }, options), renderFrame({ snapshot: worse }, options));
  });

  test("the open incident's timeline is drawn, its text neutralised", () => {
    const snapshot = sampleSnapshot('hung\u001b[2J', 1_764_000_000_000);
    const first = snapshot.incidents[0];
    assert.ok(first);
    const open = {
      ...first,
      id: 'inc-20251124-2',
      outcome: null,
      closedAt: null,
      durationMs: null,
    };
    const frame = renderFrame({ snapshot: { ...snapshot, incidents: [open] } }, options);
    assert.match(frame, /incident inc-20251124-2: heartbeat-lost/);
    assert.match(frame, /\+0 ms\s+opened/);
    assert.match(frame, /result hard FAILED/);
    assert.ok(!frame.includes('\u001b'));
  });

  test('the writer draws only when the frame changed', () => {
    const written: string[] = [];
    const writer = new FrameWriter((text) => written.push(text));
    writer.show('a');
    writer.show('a');
    writer.show('b');
    writer.show('b');
    writer.invalidate();
    writer.show('b');
    assert.equal(written.length, 3);
    assert.equal(writer.draws, 3);
  });
});

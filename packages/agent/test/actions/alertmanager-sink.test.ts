// The Alertmanager sink against a recording HTTP server, on a FakeClock: the v2 body, the
// re-post that keeps a firing alert alive, and the end of an alert whose severity changed.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { FakeClock, waitFor } from '@vigil/shared/testing';
import type { Alert } from '../../src/actions/alert-types.ts';
import { AlertmanagerSink, type PostableAlert } from '../../src/actions/alertmanager-sink.ts';
import { DEFAULT_DELIVERY } from '../../src/actions/delivery-options.ts';
import { HttpReceiver } from './http-receiver.ts';
import { recordingLogger } from './recording-logger.ts';

const REPOST = 60_000;

describe('Alertmanager sink', () => {
  let receiver: HttpReceiver;
  let clock: FakeClock;
  let sink: AlertmanagerSink;
  const log = recordingLogger();

  before(async () => {
    receiver = await HttpReceiver.start();
  });
  after(async () => {
    await receiver.close();
    log.dispose();
  });
  beforeEach(async () => {
    await sink?.close(0);
    receiver.requests.length = 0;
    clock = new FakeClock(0, Date.UTC(2026, 0, 1));
    sink = new AlertmanagerSink({
      url: `${receiver.url}/`,
      labels: { env: 'test', team: 'infra' },
      host: 'web-1',
      logger: log.logger,
      clock,
      delivery: DEFAULT_DELIVERY,
      repostMs: REPOST,
    });
  });

  const alert = (check: string, extra: Partial<Alert> = {}): Alert => ({
    check,
    type: 'disk',
    status: 'firing',
    severity: 'critical',
    summary: `${check} is full`,
    labels: { team: 'storage' },
    startsAt: clock.wallNow(),
    ...extra,
  });
  const bodies = () => receiver.requests.map((r) => r.body as PostableAlert[]);

  test('posts the v2 shape to /api/v2/alerts; check labels win over the configured ones', async () => {
    assert.equal(await sink.send({ kind: 'single', alert: alert('disk-root') }), true);
    assert.equal(receiver.requests[0]?.path, '/api/v2/alerts');
    assert.deepEqual(bodies()[0], [
      {
        labels: {
          alertname: 'VigilCheckFailing',
          check: 'disk-root',
          severity: 'critical',
          instance: 'web-1',
          env: 'test',
          team: 'storage',
        },
        annotations: { summary: 'disk-root is full' },
        startsAt: '2026-01-01T00:00:00.000Z',
      },
    ]);
  });

  test('re-posts firing alerts every repostMs until they resolve', async () => {
    await sink.send({ kind: 'single', alert: alert('disk-root') });
    clock.advance(REPOST);
    await waitFor(() => receiver.requests.length === 2, 3000, 're-post');
    assert.deepEqual(bodies()[1], bodies()[0], 'the same alert, startsAt unchanged');
    clock.advance(1000);
    const resolved = alert('disk-root', {
      status: 'resolved',
      startsAt: Date.UTC(2026, 0, 1),
      endsAt: clock.wallNow(),
    });
    await sink.send({ kind: 'single', alert: resolved });
    assert.equal(bodies()[2]?.[0]?.endsAt, new Date(clock.wallNow()).toISOString());
    assert.equal(clock.pending, 0, 'no re-post timer once nothing fires');
    clock.advance(REPOST * 3);
    assert.equal(receiver.requests.length, 3);
  });

  test('a severity change ends the old alert in the same POST', async () => {
    await sink.send({ kind: 'single', alert: alert('mem', { severity: 'warning' }) });
    clock.advance(5000);
    await sink.send({ kind: 'single', alert: alert('mem', { severity: 'critical' }) });
    const [ended, fired] = bodies()[1] ?? [];
    assert.equal(ended?.labels.severity, 'warning');
    assert.equal(ended?.endsAt, new Date(clock.wallNow()).toISOString());
    assert.equal(fired?.labels.severity, 'critical');
    assert.equal(fired?.endsAt, undefined);
  });

  test('a storm is every alert in one POST, no synthetic storm alert', async () => {
    const alerts = [alert('a'), alert('b'), alert('c')];
    await sink.send({ kind: 'storm', alerts, summary: '3 checks failing: a, b, c', severity: 'critical' });
    assert.equal(receiver.requests.length, 1);
    assert.deepEqual(
      bodies()[0]?.map((a) => a.labels.check),
      ['a', 'b', 'c'],
    );
  });

  test('close stops the re-post timer', async () => {
    await sink.send({ kind: 'single', alert: alert('disk-root') });
    await sink.close(0);
    assert.equal(clock.pending, 0);
  });
});

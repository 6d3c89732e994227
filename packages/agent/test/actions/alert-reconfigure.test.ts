// A config reload while an alert fires: later alerts go to the new webhook, and a newly added
// Alertmanager is handed what is firing so that it can resolve it later.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { systemClock } from '@vigil/shared';
import { waitFor } from '@vigil/shared/testing';
import { AlertDispatcher } from '../../src/actions/alert-dispatcher.ts';
import type { PostableAlert } from '../../src/actions/alertmanager-sink.ts';
import { checkChange } from './check-changes.ts';
import { HttpReceiver } from './http-receiver.ts';
import { recordingLogger } from './recording-logger.ts';

let oldHook: HttpReceiver;
let newHook: HttpReceiver;
let alertmanager: HttpReceiver;
before(async () => {
  [oldHook, newHook, alertmanager] = await Promise.all([
    HttpReceiver.start(),
    HttpReceiver.start(),
    HttpReceiver.start(),
  ]);
});
after(() => Promise.all([oldHook.close(), newHook.close(), alertmanager.close()]));

test('reconfigure swaps the webhook and hands a new Alertmanager the firing alerts', async () => {
  const log = recordingLogger();
  const dispatcher = new AlertDispatcher({
    config: { webhook: oldHook.url, throttleMs: 0, summaryAfter: 3 },
    logger: log.logger,
    clock: systemClock,
    hostname: 'web-1',
    stormWindowMs: 0,
  });
  try {
    dispatcher.onChange(checkChange(systemClock, 'disk', 'ok', 'critical'));
    await waitFor(() => oldHook.requests.length === 1, 3000, 'firing on the old webhook');

    dispatcher.reconfigure({
      webhook: newHook.url,
      alertmanager: { url: alertmanager.url, labels: {} },
      throttleMs: 0,
      summaryAfter: 3,
    });
    await waitFor(() => alertmanager.requests.length === 1, 3000, 'firing handed to Alertmanager');
    const [adopted] = alertmanager.bodyOf<PostableAlert[]>(0);
    assert.equal(adopted?.labels.check, 'disk');
    assert.equal(adopted?.endsAt, undefined);
    assert.equal(newHook.requests.length, 0, 'a new webhook is not paged for an open incident');

    dispatcher.onChange(checkChange(systemClock, 'disk', 'critical', 'ok'));
    await waitFor(() => newHook.requests.length === 1 && alertmanager.requests.length === 2, 3000, 'resolve');
    assert.equal(newHook.bodyOf<{ status: string }>(0).status, 'resolved');
    const [ended] = alertmanager.bodyOf<PostableAlert[]>(1);
    assert.equal(ended?.labels.check, 'disk');
    assert.ok(ended?.endsAt);
    assert.equal(oldHook.requests.length, 1);
  } finally {
    await dispatcher.close();
    log.dispose();
  }
});

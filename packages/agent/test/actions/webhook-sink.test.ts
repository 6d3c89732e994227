// The webhook sink against a real node:http server: the payload, retries, and failures that
// are logged and never thrown.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { systemClock } from '@vigil/shared';
import { AgentAlertBody, compileSchema } from '@vigil/shared/schemas';
import { waitFor } from '@vigil/shared/testing';
import { AlertDispatcher } from '../../src/actions/alert-dispatcher.ts';
import { checkChange } from './check-changes.ts';
import { CountingMetrics } from './counting-metrics.ts';
import { closedPortUrl, HttpReceiver } from './http-receiver.ts';
import { recordingLogger } from './recording-logger.ts';

const FAST = { timeoutMs: 2000, retries: 3, retryDelayMs: 10, maxRetryDelayMs: 50 };

describe('webhook sink', () => {
  let receiver: HttpReceiver;
  before(async () => {
    receiver = await HttpReceiver.start();
  });
  after(() => receiver.close());

  function dispatcherFor(url: string, summaryAfter = 3) {
    const log = recordingLogger();
    const metrics = new CountingMetrics();
    const dispatcher = new AlertDispatcher({
      config: { webhook: url, throttleMs: 0, summaryAfter },
      logger: log.logger,
      clock: systemClock,
      hostname: 'web-1',
      metrics,
      stormWindowMs: 0,
      delivery: FAST,
    });
    const change = (name: string, from: 'ok' | 'critical', to: 'ok' | 'critical') =>
      dispatcher.onChange(checkChange(systemClock, name, from, to, { labels: { team: 'ops' } }));
    return { log, metrics, dispatcher, change };
  }

  test('POSTs the documented JSON for firing and resolved', async () => {
    receiver.requests.length = 0;
    const { log, dispatcher, change } = dispatcherFor(receiver.url);
    change('disk-root', 'ok', 'critical');
    await waitFor(() => receiver.requests.length === 1, 3000, 'firing POST');
    change('disk-root', 'critical', 'ok');
    await waitFor(() => receiver.requests.length === 2, 3000, 'resolved POST');
    await dispatcher.close();
    const [firing, resolved] = receiver.requests.map((r) => r.body as Record<string, unknown>);
    assert.equal(receiver.requests[0]?.method, 'POST');
    // The bodies are the documented schema, both of them.
    const valid = compileSchema(AgentAlertBody);
    for (const r of receiver.requests) assert.equal(valid(r.body).ok, true, JSON.stringify(r.body));
    assert.deepEqual(Object.keys(firing ?? {}).sort(), [
      'check',
      'host',
      'labels',
      'severity',
      'source',
      'startsAt',
      'status',
      'summary',
    ]);
    assert.equal(firing?.source, 'vigil-agent');
    assert.equal(firing?.host, 'web-1');
    assert.equal(firing?.status, 'firing');
    assert.equal(firing?.severity, 'critical');
    assert.equal(firing?.check, 'disk-root');
    assert.deepEqual(firing?.labels, { team: 'ops' });
    assert.equal(resolved?.status, 'resolved');
    assert.equal(resolved?.startsAt, firing?.startsAt);
    assert.ok(typeof resolved?.endsAt === 'string' && !Number.isNaN(Date.parse(resolved.endsAt)));
    log.dispose();
  });

  test('retries a 500 and succeeds on the third attempt', async () => {
    receiver.requests.length = 0;
    receiver.statuses.push(500, 503);
    const { log, metrics, dispatcher, change } = dispatcherFor(receiver.url);
    change('disk-root', 'ok', 'critical');
    await waitFor(() => metrics.get('sent:webhook:firing') === 1, 5000, 'delivery');
    assert.equal(receiver.requests.length, 3);
    assert.equal(log.find('alert not delivered').length, 0);
    await dispatcher.close();
    log.dispose();
  });

  test('a 400 is not retried', async () => {
    receiver.requests.length = 0;
    receiver.statuses.push(400);
    const { log, dispatcher, change } = dispatcherFor(receiver.url);
    change('disk-root', 'ok', 'critical');
    await waitFor(() => log.find('alert not delivered').length === 1, 3000, 'failure logged');
    assert.equal(receiver.requests.length, 1);
    await dispatcher.close();
    log.dispose();
  });

  test('connection refused: retried, logged with its code, never thrown', async () => {
    const { log, metrics, dispatcher, change } = dispatcherFor(await closedPortUrl());
    assert.doesNotThrow(() => change('disk-root', 'ok', 'critical'));
    const [failure] = await waitFor(() => {
      const found = log.find('alert not delivered');
      return found.length > 0 ? found : undefined;
    }, 5000);
    const err = failure?.err as { code?: string; message?: string };
    assert.equal(failure?.levelName, 'error');
    assert.equal(err.code, 'VIGIL_ALERT_DELIVERY_FAILED');
    assert.match(err.message ?? '', /ECONNREFUSED/);
    assert.equal(log.find('webhook attempt failed').length, 1 + FAST.retries);
    assert.equal(metrics.get('sent:webhook:firing'), 0);
    assert.equal(metrics.get('sent:log:firing'), 1, 'the log sink still has it');
    await dispatcher.close();
    log.dispose();
  });

  test('a storm is one POST carrying every alert', async () => {
    receiver.requests.length = 0;
    const { log, dispatcher } = dispatcherFor(receiver.url, 2);
    // With no storm window, a storm is what goes out together: the end of a maintenance window.
    dispatcher.setMaintenance(Date.now() + 60_000);
    for (const name of ['a', 'b', 'c']) dispatcher.onChange(checkChange(systemClock, name, 'ok', 'critical'));
    dispatcher.setMaintenance(0);
    await waitFor(() => receiver.requests.length === 1, 3000, 'storm POST');
    await dispatcher.close();
    const body = receiver.requests[0]?.body as Record<string, unknown>;
    assert.equal(receiver.requests.length, 1);
    assert.equal(body.storm, true);
    assert.equal(body.summary, '3 checks failing: a, b, c');
    assert.deepEqual(body.checks, ['a', 'b', 'c']);
    assert.equal((body.alerts as unknown[]).length, 3);
    log.dispose();
  });
});

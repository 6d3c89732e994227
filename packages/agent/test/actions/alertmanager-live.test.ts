// End to end against a real Alertmanager: the dispatcher's firing alert shows up active with
// the right labels, and its resolve takes it out of the active alerts.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { systemClock } from '@vigil/shared';
import { AlertDispatcher } from '../../src/actions/alert-dispatcher.ts';
import { type AlertmanagerAlert, AlertmanagerProcess } from './alertmanager-process.ts';
import { checkChange } from './check-changes.ts';
import { recordingLogger } from './recording-logger.ts';

describe('Alertmanager (real, v2 API)', { timeout: 15_000 }, () => {
  let am: AlertmanagerProcess | undefined;
  const log = recordingLogger();

  // Started inside the test, not in `before`: a missing binary then counts as a failed test.
  after(async () => {
    await am?.stop();
    log.dispose();
  });

  async function pollAlerts(
    server: AlertmanagerProcess,
    query: string,
    until: (alerts: AlertmanagerAlert[]) => boolean,
    what: string,
  ) {
    const deadline = Date.now() + 8000;
    for (;;) {
      const alerts = await server.alerts(query);
      if (until(alerts)) return alerts;
      if (Date.now() > deadline)
        throw new Error(`${what}: not seen within 8 s; last answer ${JSON.stringify(alerts)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  test('a firing alert becomes active with its labels; the resolve ends it', async () => {
    const server = await AlertmanagerProcess.start();
    am = server;
    const dispatcher = new AlertDispatcher({
      config: { alertmanager: { url: server.url, labels: { env: 'ci' } }, throttleMs: 0, summaryAfter: 3 },
      logger: log.logger,
      clock: systemClock,
      hostname: 'vigil-test-host',
      stormWindowMs: 50,
      delivery: { timeoutMs: 2000, retries: 3, retryDelayMs: 100 },
    });
    const ours = (a: AlertmanagerAlert) => a.labels.check === 'disk-root';
    try {
      dispatcher.onChange(
        checkChange(systemClock, 'disk-root', 'ok', 'critical', {
          summary: 'disk / is 97% full',
          labels: { team: 'storage' },
        }),
      );
      const [active] = (
        await pollAlerts(server, '?active=true', (alerts) => alerts.some(ours), 'active alert')
      ).filter(ours);
      assert.deepEqual(active?.labels, {
        alertname: 'VigilCheckFailing',
        check: 'disk-root',
        severity: 'critical',
        instance: 'vigil-test-host',
        env: 'ci',
        team: 'storage',
      });
      assert.equal(active?.annotations.summary, 'disk / is 97% full');
      assert.equal(active?.status.state, 'active');

      dispatcher.onChange(
        checkChange(systemClock, 'disk-root', 'critical', 'ok', { summary: 'disk / is 60% full' }),
      );
      await pollAlerts(
        server,
        '?active=true',
        (alerts) => !alerts.some(ours),
        'resolved alert gone from the active ones',
      );
      assert.equal(log.find('alert not delivered').length, 0);
    } finally {
      await dispatcher.close();
    }
  });
});

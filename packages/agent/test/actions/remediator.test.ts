// The remediator runs real commands (from the config's argument array, never a shell of ours):
// retries, timeout, breaker, refusal, maintenance, one run per check at a time.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, describe, test } from 'node:test';
import { FakeClock, paced, waitFor } from '@vigil/shared/testing';
import type { CheckChange } from '../../src/actions/action-types.ts';
import { Remediator } from '../../src/actions/remediator.ts';
import type { RemediationConfig } from '../../src/config/checks-schema.ts';
import { checkChange } from './check-changes.ts';
import { CountingMetrics } from './counting-metrics.ts';
import { type RecordingLogger, recordingLogger } from './recording-logger.ts';

const dir = mkdtempSync('/tmp/vg-remediate-');
after(() => rmSync(dir, { recursive: true, force: true }));

function remediate(command: string[], extra: Partial<RemediationConfig> = {}): RemediationConfig {
  return { command, retries: 0, timeoutMs: 5000, breaker: { failures: 3, resetMs: 10_000 }, ...extra };
}

describe('Remediator', () => {
  let log: RecordingLogger;
  let remediator: Remediator;

  function setup(retryDelayMs = 0) {
    const clock = new FakeClock(0);
    const metrics = new CountingMetrics();
    log = recordingLogger();
    remediator = new Remediator({ logger: log.logger, clock, metrics, retryDelayMs, closeGraceMs: 0 });
    const critical = (config: RemediationConfig, from: CheckChange['from'] = 'ok') =>
      remediator.onChange(checkChange(clock, 'svc', from, 'critical', { remediate: config }));
    return { clock, metrics, critical };
  }

  afterEach(async () => {
    await remediator.close();
    log.dispose();
  });

  test('runs the configured command and reports its output', async () => {
    const { metrics, critical } = setup();
    const outcome = await critical(remediate(['sh', '-c', 'echo fixed; exit 0']));
    assert.deepEqual(outcome, { check: 'svc', ok: true, attempts: 1, exitCode: 0, output: 'fixed' });
    assert.equal(metrics.get('remediation:svc:ok'), 1);
    assert.equal(log.find('remediation of svc succeeded').length, 1);
  });

  test('only on entering critical: not on warn, not while it stays critical, not without remediate', async () => {
    const { clock, critical } = setup();
    const config = remediate(['true']);
    const change = (from: CheckChange['from'], to: CheckChange['to'], remediateConfig?: RemediationConfig) =>
      remediator.onChange(checkChange(clock, 'svc', from, to, { remediate: remediateConfig }));
    assert.equal(await change('ok', 'warn', config), null);
    assert.equal(await change('critical', 'critical', config), null);
    assert.equal(await change('critical', 'ok', config), null);
    assert.equal(await change('ok', 'critical'), null);
    assert.equal((await critical(config, 'warn'))?.ok, true, 'warn → critical counts');
  });

  test('retries a failing command `retries` times, then logs VIGIL_REMEDIATION_FAILED', async () => {
    const { metrics, critical } = setup();
    const outcome = await critical(remediate(['false'], { retries: 2 }));
    assert.deepEqual(outcome, { check: 'svc', ok: false, attempts: 3, exitCode: 1, output: '' });
    assert.equal(log.find('remediation attempt').length, 3);
    const [failure] = log
      .records()
      .filter((r) => (r.err as { code?: string } | undefined)?.code === 'VIGIL_REMEDIATION_FAILED');
    assert.equal(failure?.levelName, 'error');
    assert.equal(metrics.get('remediation:svc:failed'), 1);
  });

  test('the backoff between attempts runs on the injected clock', async () => {
    const { clock, critical } = setup(1000);
    const running = critical(remediate(['false'], { retries: 2 }));
    await waitFor(() => log.find('remediation attempt 1 failed').length === 1, 3000, 'first attempt');
    assert.equal(log.find('remediation attempt 2').length, 0);
    clock.advance(1000);
    await waitFor(() => log.find('remediation attempt 2 failed').length === 1, 3000, 'second attempt');
    clock.advance(1999);
    assert.equal(log.find('remediation attempt 3').length, 0, 'the second delay doubles');
    clock.advance(1);
    assert.equal((await running)?.attempts, 3);
  });

  test('a command past its timeout is killed', async () => {
    const { critical } = setup();
    const started = Date.now();
    const outcome = await critical(remediate(['sleep', '5'], { timeoutMs: 200 }));
    assert.ok(Date.now() - started < paced(3000), 'killed well before it would have ended');
    assert.equal(outcome?.ok, false);
    assert.equal(outcome?.exitCode, null);
    const [failure] = log.find('remediation of svc failed');
    assert.match(failure?.msg ?? '', /timed out after 200 ms/);
  });

  test('a program that cannot start is not retried', async () => {
    const { critical } = setup();
    const outcome = await critical(remediate(['/nonexistent/vigil-fix'], { retries: 3 }));
    assert.equal(outcome?.attempts, 1);
    assert.equal(outcome?.ok, false);
  });

  test('repeated failures open the breaker; it skips while open, then allows one trial', async () => {
    const { clock, metrics, critical } = setup();
    const failing = remediate(['false'], { breaker: { failures: 2, resetMs: 10_000 } });
    assert.equal((await critical(failing))?.ok, false);
    assert.equal((await critical(failing))?.ok, false);
    assert.deepEqual(remediator.breakerStates(), { svc: 'open' });
    const skipped = await critical(failing);
    assert.equal(skipped?.skipped, 'breaker');
    assert.equal(skipped?.attempts, 0);
    const [line] = log.find('skipped: breaker open until');
    assert.ok(line?.msg.includes(new Date(clock.wallNow() + 10_000).toISOString()));
    assert.equal(metrics.get('remediation:svc:skipped'), 1);
    assert.equal(metrics.get('breaker:svc:open'), 1);
    clock.advance(10_000);
    assert.deepEqual(remediator.breakerStates(), { svc: 'half-open' });
    const trial = await critical(remediate(['true'], { breaker: { failures: 2, resetMs: 10_000 } }));
    assert.equal(trial?.ok, true);
    assert.deepEqual(remediator.breakerStates(), { svc: 'closed' });
  });

  test('refuses new runs under setRefusing, with the reason logged', async () => {
    const { metrics, critical } = setup();
    remediator.setRefusing(true, 'agent degraded (medium rung)');
    const outcome = await critical(remediate(['true']));
    assert.equal(outcome?.skipped, 'refused');
    assert.equal(log.find('skipped: agent degraded (medium rung)').length, 1);
    assert.equal(metrics.get('remediation:svc:skipped'), 1);
    remediator.setRefusing(false);
    assert.equal((await critical(remediate(['true'])))?.ok, true);
  });

  test('no remediation in a maintenance window; it runs again once the window ends', async () => {
    const { clock, critical } = setup();
    remediator.setMaintenance(clock.wallNow() + 60_000);
    const outcome = await critical(remediate(['true']));
    assert.equal(outcome?.skipped, 'maintenance');
    assert.equal(log.find('skipped: maintenance until').length, 1);
    clock.advance(60_000);
    assert.equal((await critical(remediate(['true'])))?.ok, true);
  });

  test('one run per check at a time', async () => {
    const { clock } = setup();
    const config = remediate(['sh', '-c', 'sleep 0.3; echo done']);
    const first = remediator.onChange(checkChange(clock, 'svc', 'ok', 'critical', { remediate: config }));
    const second = await remediator.onChange(
      checkChange(clock, 'svc', 'warn', 'critical', { remediate: config }),
    );
    const other = remediator.onChange(checkChange(clock, 'other', 'ok', 'critical', { remediate: config }));
    assert.equal(second?.skipped, 'running');
    assert.deepEqual(
      (await Promise.all([first, other])).map((o) => [o?.check, o?.ok, o?.output]),
      [
        ['svc', true, 'done'],
        ['other', true, 'done'],
      ],
    );
  });

  test('close kills a run still going and does not count it against the breaker', async () => {
    const { critical } = setup();
    const marker = join(dir, `running-${process.pid}`);
    const running = critical(
      remediate(
        [
          process.execPath,
          '-e',
          `require('fs').writeFileSync(${JSON.stringify(marker)}, ''); setTimeout(() => {}, 30000)`,
        ],
        {
          timeoutMs: 60_000,
        },
      ),
    );
    await waitFor(() => existsSync(marker) || undefined, 10_000, 'the remediation command running');
    const started = Date.now();
    await remediator.close();
    const outcome = await running;
    assert.ok(Date.now() - started < paced(3000));
    assert.equal(outcome?.ok, false);
    assert.deepEqual(remediator.breakerStates(), { svc: 'closed' });
  });
});

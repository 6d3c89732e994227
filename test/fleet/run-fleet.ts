// The fleet run (`pnpm test:fleet`): five vigil pairs on one machine, scraped by a real
// Prometheus (agents directly, watchdogs through node_exporter's textfile collector), alerting
// through a real Alertmanager into a webhook receiver here, on time-scaled copies of deploy/
// (fleet-configs.ts says how they differ from the shipped files).
//
//   node --import tsx test/fleet/run-fleet.ts [--smoke]
//
// --smoke (CI, about 2 minutes) leaves out the dead-watchdog case, which waits out the real
// 120 s staleness threshold.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseArgs } from 'node:util';
import { waitFor } from '@vigil/shared/testing';
import { dashboardQueries, substitute } from './dashboard-queries.ts';
import { FLEET_ENV, Fleet, type FleetHost, vigil } from './fleet.ts';
import { alertmanagerAlerts, type PrometheusApi } from './prometheus-api.ts';
import type { WebhookReceiver } from './webhook-receiver.ts';

const { values } = parseArgs({ options: { smoke: { type: 'boolean', default: false } } });

const fleet = new Fleet();
after(() => fleet.stop());
const receiver = () => fleet.receiver as WebhookReceiver;
const api = () => fleet.api as PrometheusApi;
const notified = (what: string) => () =>
  `${what}; notified so far: ${JSON.stringify(receiver().notified.map((n) => [n.status, n.labels.alertname, n.labels.instance ?? n.labels.env]))}`;

async function chaos(host: FleetHost, fault: string): Promise<void> {
  const outcome = await vigil(host, ['chaos', fault]);
  assert.equal(outcome.code, 0, `vigil chaos ${fault} on ${host.name}: ${outcome.output}`);
}

describe(`a fleet of five pairs on Prometheus and Alertmanager${values.smoke ? ' (smoke)' : ''}`, () => {
  before(() => fleet.start(5, { recovery: { probeMs: 10_000 } }), { timeout: 180_000 });

  test('one host hangs while another crash-loops', { concurrency: 2 }, async (t) => {
    await Promise.all([
      t.test(
        'the hung one: its hard-recovery alert reaches the receiver with its labels, then resolves',
        async () => {
          const host = fleet.host('host-1');
          await chaos(host, 'hang');
          await host.pair.waitForIncident(
            (i) => i.signal === 'heartbeat-lost' && i.outcome === 'restarted',
            30_000,
            'the hang caught and the agent restarted',
          );
          await waitFor(
            () => receiver().find('VigilHardRecovery', 'firing', 'host-1').length > 0,
            60_000,
            notified('VigilHardRecovery firing for host-1'),
            100,
          );
          const [firing] = receiver().find('VigilHardRecovery', 'firing', 'host-1');
          assert.deepEqual(firing?.labels, {
            alertname: 'VigilHardRecovery',
            env: FLEET_ENV,
            instance: 'host-1',
            job: 'node',
            rung: 'hard',
            scope: 'host',
            severity: 'warning',
          });
          assert.equal(firing?.receiver, 'vigil-team');
          await waitFor(
            () => receiver().find('VigilHardRecovery', 'resolved', 'host-1').length > 0,
            90_000,
            notified('VigilHardRecovery resolved for host-1'),
            100,
          );
        },
      ),
      t.test(
        'the crash-looping one: failed fires once, and resolves after the probe brings it back',
        async () => {
          const host = fleet.host('host-2');
          let crashes = 0;
          for (;;) {
            const status = await host.pair.waitForStatus(
              (s) => (s.agent.state === 'healthy' && s.agent.pid !== null) || s.agent.state === 'failed',
              30_000,
              'healthy again, or failed',
            );
            if (status.agent.state === 'failed') break;
            assert.ok(crashes < 10, `failed after at most 10 crashes, ${crashes} so far`);
            await chaos(host, 'crash');
            crashes++;
            await host.pair.waitForStatus((s) => s.agent.pid !== status.agent.pid, 15_000, 'the crash seen');
          }
          await waitFor(
            () => receiver().find('VigilAgentFailed', 'firing', 'host-2').length > 0,
            60_000,
            notified('VigilAgentFailed firing for host-2'),
            100,
          );
          // The watchdog's slow probe starts it once more; this time it stays up.
          await host.pair.waitForHealthy(30_000);
          await waitFor(
            () => receiver().find('VigilAgentFailed', 'resolved', 'host-2').length > 0,
            60_000,
            notified('VigilAgentFailed resolved for host-2'),
            100,
          );
          const firings = receiver().find('VigilAgentFailed', 'firing', 'host-2');
          assert.equal(firings.length, 1, `one firing notification: ${JSON.stringify(firings)}`);
          assert.equal(firings[0]?.receiver, 'vigil-pager');
          assert.equal(receiver().find('VigilAgentFailed', 'firing').length, 1, 'no other host is failed');
          const [guard] = await api().query('vigil_agent_failed_total{instance="host-2"}');
          assert.equal(guard?.value?.[1], '1');
        },
      ),
    ]);
    assert.deepEqual(receiver().find('VigilFleetAgentRestarts'), [], 'two hosts are no fleet-wide event');
  });

  test('three of five restart: the fleet-wide alert fires once and the per-host ones are inhibited', async () => {
    const three = ['host-3', 'host-4', 'host-5'].map((name) => fleet.host(name));
    await Promise.all(three.map((host) => chaos(host, 'crash')));
    await Promise.all(
      three.map((host) =>
        host.pair.waitForIncident(
          (i) => i.signal === 'exit' && i.outcome === 'restarted',
          30_000,
          'restarted',
        ),
      ),
    );
    await waitFor(
      () => receiver().find('VigilFleetAgentRestarts', 'firing').length > 0,
      60_000,
      notified('VigilFleetAgentRestarts firing'),
      100,
    );
    const [fleetAlert] = receiver().find('VigilFleetAgentRestarts', 'firing');
    assert.deepEqual(fleetAlert?.labels, {
      alertname: 'VigilFleetAgentRestarts',
      env: FLEET_ENV,
      scope: 'fleet',
      severity: 'page',
    });
    assert.equal(fleetAlert?.receiver, 'vigil-pager');

    // Prometheus fires the per-host alerts too; Alertmanager holds them back.
    const am = fleet.alertmanager?.url as string;
    let seen = '';
    await waitFor(
      async () => {
        const [source] = await alertmanagerAlerts(am, 'alertname="VigilFleetAgentRestarts"');
        const perHost = await alertmanagerAlerts(am, 'alertname="VigilHardRecovery"');
        seen = JSON.stringify(perHost.map((a) => [a.labels.instance, a.status]));
        return three.every((host) =>
          perHost.some(
            (a) =>
              a.labels.instance === host.name &&
              a.status.state === 'suppressed' &&
              source !== undefined &&
              a.status.inhibitedBy.includes(source.fingerprint),
          ),
        );
      },
      60_000,
      () => `VigilHardRecovery of hosts 3–5 in Alertmanager, inhibited: ${seen}`,
      250,
    );
    // Once they have resolved, none of them was ever notified.
    await waitFor(
      async () =>
        (await api().query('ALERTS{alertname="VigilHardRecovery",instance=~"host-[345]"}')).length === 0,
      90_000,
      'the per-host alerts of hosts 3–5 resolved',
      500,
    );
    for (const host of three) {
      assert.deepEqual(
        receiver().find('VigilHardRecovery', undefined, host.name),
        [],
        `${host.name} not paged`,
      );
    }
    assert.equal(
      receiver().find('VigilFleetAgentRestarts', 'firing').length,
      1,
      'the fleet alert paged once',
    );
  });

  test("every PromQL of the dashboard parses on Prometheus's API and returns the run's data", async () => {
    const startS = fleet.startedAtS;
    const endS = Date.now() / 1000;
    const grafana = {
      env: '.*',
      // The crash-looping host has every kind of event: incidents, hard rungs, the guard.
      instance: 'host-2',
      // Grafana's floor for $__rate_interval: four scrape intervals.
      rateInterval: '4s',
      range: `${Math.ceil(endS - startS)}s`,
    };
    const empty: string[] = [];
    for (const q of dashboardQueries()) {
      const expr = substitute(q.expr, grafana);
      if (q.kind === 'variable') {
        const got = await api().labelValues(q.label as string, expr, startS, endS);
        const want = q.label === 'env' ? [FLEET_ENV] : fleet.hosts.map((h) => h.name);
        assert.deepEqual(got.sort(), want.sort(), `${q.where}: ${expr}`);
        continue;
      }
      const series = await api().queryRange(expr, startS, endS, 2);
      if (!series.some((s) => (s.values ?? []).length > 0)) empty.push(`${q.where}: ${expr}`);
    }
    assert.deepEqual(empty, [], 'queries that returned no data over the run');
  });

  // Not part of the smoke run: it waits out the real 120 s threshold.
  if (!values.smoke)
    test('a dead watchdog: its stale textfile fires VigilWatchdogDown, and a new watchdog resolves it', async () => {
      const host = fleet.host('host-5');
      const agentPid = (await host.pair.status()).agent.pid;
      await host.pair.killWatchdog();
      await waitFor(
        () => receiver().find('VigilWatchdogDown', 'firing', 'host-5').length > 0,
        240_000,
        notified('VigilWatchdogDown firing for host-5'),
        250,
      );
      await host.pair.start(20_000);
      const adopted = await host.pair.waitForHealthy(20_000);
      assert.equal(adopted.agent.pid, agentPid, 'the new watchdog adopted the running agent');
      await waitFor(
        () => receiver().find('VigilWatchdogDown', 'resolved', 'host-5').length > 0,
        60_000,
        notified('VigilWatchdogDown resolved for host-5'),
        250,
      );
    });

  test('it cleans up every process it started', async () => {
    assert.deepEqual(await fleet.stop(), []);
  });
});

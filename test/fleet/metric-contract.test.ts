// The metric contract: docs/metrics.md against what vigil really exports, in both directions —
// a real agent's /metrics (scraped over HTTP from a running pair), the textfile that pair's
// watchdog wrote, and a textfile rendered from a status object with every field known. Each
// exposition passes `promtool check metrics`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { StatusSnapshot } from '@vigil/shared';
import { waitFor } from '@vigil/shared/testing';
import { renderProm, WatchdogCounters } from '../../packages/watchdog/src/status/prom-textfile.ts';
import { Pair } from '../support/pair.ts';
import { parseExposition } from './exposition.ts';
import { freePort } from './free-port.ts';
import { type DocumentedMetric, readMetricsDoc } from './metrics-doc.ts';

const MiB = 1024 * 1024;
const doc = readMetricsDoc();

function promtoolCheck(text: string): void {
  const lint = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  assert.equal(lint.error, undefined, 'promtool is installed (.ci/system-packages)');
  assert.equal(lint.status, 0, `promtool check metrics: ${lint.stdout}${lint.stderr}`);
}

/**
 * Every exported family is documented with its type and the label names of its samples; with
 * `complete`, every documented one is exported too.
 */
function assertMatchesDoc(text: string, documented: DocumentedMetric[], complete: boolean): void {
  const exposed = parseExposition(text);
  const byName = new Map(documented.map((m) => [m.name, m]));
  const undocumented = [...exposed.keys()].filter((name) => !byName.has(name));
  assert.deepEqual(undocumented, [], 'exported but missing from docs/metrics.md');
  if (complete) {
    const missing = documented.map((m) => m.name).filter((name) => !exposed.has(name));
    assert.deepEqual(missing, [], 'in docs/metrics.md but not exported');
  }
  for (const family of exposed.values()) {
    const promised = byName.get(family.name) as DocumentedMetric;
    assert.equal(family.type, promised.type, `type of ${family.name}`);
    for (const labels of family.labelSets) {
      assert.equal(labels, promised.labels.join(','), `label names of ${family.name}`);
    }
  }
}

describe('docs/metrics.md', () => {
  test('lists both sources, every name once, in Prometheus style', () => {
    assert.ok(doc.agent.length >= 10, 'the agent table is read');
    assert.ok(doc.watchdog.length >= 10, 'the watchdog table is read');
    const names = [...doc.agent, ...doc.watchdog].map((m) => m.name);
    assert.deepEqual(
      names.filter((n, i) => names.indexOf(n) !== i),
      [],
      'no name is documented twice',
    );
    for (const m of [...doc.agent, ...doc.watchdog]) {
      assert.ok(['counter', 'gauge', 'histogram'].includes(m.type), `${m.name}: type ${m.type}`);
      assert.equal(m.type === 'counter', m.name.endsWith('_total'), `${m.name}: _total iff a counter`);
      for (const label of m.labels) {
        assert.ok(!['pid', 'host', 'hostname', 'instance', 'message'].includes(label), `${m.name}: ${label}`);
      }
    }
  });
});

describe('the agent /metrics and the watchdog textfile of a running pair', () => {
  let pair: Pair;
  let agentMetrics = '';
  let textfile = '';

  before(async () => {
    const port = await freePort();
    const home = join('/tmp', `vg-contract-${process.pid}`);
    mkdirSync(join(home, 'textfile'), { recursive: true });
    pair = new Pair({
      home,
      watchdog: {
        metricsTextfile: join(home, 'textfile', 'vigil.prom'),
        // Set so the limits are exported; far above what the agent uses.
        resources: { memory: { maxRssBytes: 1024 * MiB, ceilingRssBytes: 2048 * MiB } },
      },
      agent: {
        metrics: { listen: `127.0.0.1:${port}` },
        checks: [
          { type: 'command', name: 'passes', command: ['true'], intervalMs: 200, timeoutMs: 150 },
          {
            type: 'command',
            name: 'fails',
            command: ['false'],
            intervalMs: 200,
            timeoutMs: 150,
            failAfter: 1,
            remediate: { command: ['true'], retries: 0 },
          },
        ],
      },
    });
    await pair.start();
    await pair.waitForHealthy(15_000);
    const url = `http://127.0.0.1:${port}/metrics`;
    await waitFor(
      async () => {
        agentMetrics = await (await fetch(url)).text().catch(() => '');
        return (
          /^vigil_remediations_total\{/m.test(agentMetrics) &&
          /^vigil_alerts_sent_total\{/m.test(agentMetrics)
        );
      },
      15_000,
      () => `the agent's checks, remediation and alert in its metrics:\n${agentMetrics}`,
      100,
    );
    textfile = readFileSync(join(home, 'textfile', 'vigil.prom'), 'utf8');
  });
  after(() => pair.dispose());

  test("the agent's exposition is the documented agent table, and passes promtool", () => {
    promtoolCheck(agentMetrics);
    assertMatchesDoc(agentMetrics, doc.agent, true);
    assert.match(agentMetrics, /^vigil_agent_memory_limit_bytes\{limit="max"\} 1073741824$/m);
  });

  test("the watchdog's textfile has only documented names, and passes promtool", () => {
    promtoolCheck(textfile);
    assertMatchesDoc(textfile, doc.watchdog, false);
    assert.match(textfile, /^vigil_agent_state\{state="healthy"\} 1$/m);
  });
});

describe('a textfile rendered from a status object', () => {
  const status: StatusSnapshot = {
    v: 1,
    updatedAt: 1_767_225_600_123,
    watchdog: {
      pid: 10,
      version: '0.1.0',
      uptimeMs: 5000,
      mode: 'systemd',
      startedAt: 1_767_225_595_000,
      paused: false,
      pausedUntil: null,
    },
    agent: {
      state: 'recovering',
      pid: 11,
      uptimeMs: 1000,
      lastHeartbeatAgoMs: 1500,
      restarts: 3,
      rssBytes: 90 * MiB,
      cpuPercent: 3,
      eventLoopLagMs: 2,
      worstHeartbeatGapMs: 1600,
      health: null,
      version: '0.1.0',
      adopted: false,
      startedAt: 1_767_225_599_000,
    },
    recovery: {
      rung: 'hard',
      incidentId: 'x',
      signal: 'heartbeat-lost',
      backoffMs: null,
      nextRetryAt: null,
      restartsInWindow: 3,
    },
    incidents: [],
  };

  test('with every field known it is exactly the documented watchdog table, and passes promtool', () => {
    const text = renderProm(status, new WatchdogCounters());
    promtoolCheck(text);
    assertMatchesDoc(text, doc.watchdog, true);
  });
});

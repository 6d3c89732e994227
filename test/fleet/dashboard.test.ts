// The Grafana dashboard: an importable file (the DS_PROMETHEUS input, env and instance
// variables, every panel on that data source), a fleet row and a host row, and every PromQL it
// holds parses (promtool, over a rule file made of them) and reads only documented metrics.
// `pnpm test:fleet` also runs each of them against a real Prometheus's scraped data.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { dashboardQueries, metricNames, readDashboard, substitute } from './dashboard-queries.ts';
import { readMetricsDoc } from './metrics-doc.ts';

const dir = mkdtempSync('/tmp/vg-dashboard-');
after(() => rmSync(dir, { recursive: true, force: true }));

const dashboard = readDashboard();
const queries = dashboardQueries(dashboard);
const VALUES = { env: '.*', instance: 'web-1', rateInterval: '2m', range: '6h' };

interface Panel {
  type: string;
  title: string;
  datasource?: { uid: string };
  targets?: { datasource?: { uid: string } }[];
}

describe('deploy/grafana/vigil.json', () => {
  test('imports with a Prometheus data source input and env and instance variables', () => {
    const inputs = dashboard.__inputs as { name: string; type: string; pluginId: string }[];
    assert.deepEqual(
      inputs.map((i) => [i.name, i.type, i.pluginId]),
      [['DS_PROMETHEUS', 'datasource', 'prometheus']],
    );
    const variables = (dashboard.templating as { list: { name: string }[] }).list.map((v) => v.name);
    assert.deepEqual(variables.sort(), ['env', 'instance']);
    // Grafana's placeholder for the data source chosen at import, not a JavaScript template.
    const DATASOURCE = ['$', '{DS_PROMETHEUS}'].join('');
    const panels = dashboard.panels as Panel[];
    for (const panel of panels.filter((p) => p.type !== 'row')) {
      assert.equal(panel.datasource?.uid, DATASOURCE, `panel "${panel.title}"`);
      for (const t of panel.targets ?? []) assert.equal(t.datasource?.uid, DATASOURCE, panel.title);
    }
  });

  test('has the fleet row and the host drill-down, incidents as annotations', () => {
    const titles = (dashboard.panels as Panel[]).map((p) => p.title);
    for (const title of [
      'Fleet',
      'Hosts by state',
      'Top restarting hosts',
      'Recoveries by rung',
      'Heartbeat age',
      'Failed hosts',
      'Host $instance',
      'Event-loop lag',
      'RSS against its limits',
      'Checks',
    ]) {
      assert.ok(titles.includes(title), `a panel "${title}"`);
    }
    assert.ok(queries.some((q) => q.kind === 'annotation' && q.expr.includes('vigil_incidents_total')));
  });

  test('every query parses and reads only metrics of docs/metrics.md', () => {
    const documented = new Set(Object.values(readMetricsDoc()).flatMap((list) => list.map((m) => m.name)));
    const file = join(dir, 'dashboard-queries.rules.yml');
    const rules = queries.map((q, i) => ({
      record: `dashboard:query_${i}`,
      expr: substitute(q.expr, VALUES),
    }));
    writeFileSync(file, JSON.stringify({ groups: [{ name: 'dashboard', rules }] }));
    const check = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
    assert.equal(check.error, undefined, 'promtool is installed (.ci/system-packages)');
    assert.equal(check.status, 0, `promtool check rules: ${check.stdout}${check.stderr}`);
    for (const q of queries) {
      const names = metricNames(q.expr);
      assert.ok(names.length > 0, `${q.where} reads a vigil metric`);
      for (const name of names)
        assert.ok(documented.has(name), `${q.where}: ${name} is not in docs/metrics.md`);
    }
  });
});

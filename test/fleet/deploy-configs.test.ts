// deploy/: the alert rules pass `promtool check rules` and their unit tests (`promtool test
// rules`), which test every alert both firing and not firing; the rules read only documented
// metrics; the scrape example passes `promtool check config` and the Alertmanager example
// `amtool check-config`, grouped by alertname and env, its inhibitions naming real alerts.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { ROOT } from '../support/pair.ts';
import { metricNames } from './dashboard-queries.ts';
import { readMetricsDoc } from './metrics-doc.ts';

const DEPLOY = join(ROOT, 'deploy');
const RULES = join(DEPLOY, 'prometheus/vigil.rules.yml');
const RULE_TESTS = join(DEPLOY, 'prometheus/tests');

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { encoding: 'utf8', cwd: ROOT });
  assert.equal(result.error, undefined, `${command} is installed (.ci/system-packages)`);
  assert.equal(result.status, 0, `${command} ${args.join(' ')}:\n${result.stdout}${result.stderr}`);
}

interface Rule {
  alert: string;
  expr: string;
  labels?: Record<string, string>;
}
const rules = (parse(readFileSync(RULES, 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap(
  (g) => g.rules,
);
const ruleTestFiles = readdirSync(RULE_TESTS)
  .filter((f) => f.endsWith('.yml'))
  .map((f) => join(RULE_TESTS, f));

describe('deploy/prometheus/vigil.rules.yml', () => {
  test('passes promtool check rules and its promtool unit tests', () => {
    run('promtool', ['check', 'rules', RULES]);
    assert.ok(ruleTestFiles.length > 0);
    run('promtool', ['test', 'rules', ...ruleTestFiles]);
  });

  test('has the alerts the fleet needs, each tested firing and not firing', () => {
    const names = rules.map((r) => r.alert);
    for (const name of [
      'VigilWatchdogDown',
      'VigilAgentDown',
      'VigilAgentFailed',
      'VigilHardRecovery',
      'VigilAgentCrashLooping',
      'VigilCheckCritical',
      'VigilMetricsAbsent',
      'VigilFleetAgentRestarts',
    ]) {
      assert.ok(names.includes(name), `an alert ${name}`);
    }
    const cases = ruleTestFiles.flatMap((f) =>
      (
        parse(readFileSync(f, 'utf8')) as {
          tests: { alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[];
        }
      ).tests.flatMap((t) => t.alert_rule_test ?? []),
    );
    for (const name of names) {
      const own = cases.filter((c) => c.alertname === name);
      assert.ok(
        own.some((c) => (c.exp_alerts ?? []).length > 0),
        `${name} is tested firing`,
      );
      assert.ok(
        own.some((c) => (c.exp_alerts ?? []).length === 0),
        `${name} is tested not firing`,
      );
    }
  });

  test('reads only documented metrics, and every alert has a scope for the inhibitions', () => {
    const documented = new Set(Object.values(readMetricsDoc()).flatMap((list) => list.map((m) => m.name)));
    for (const rule of rules) {
      for (const name of metricNames(rule.expr)) {
        assert.ok(documented.has(name), `${rule.alert}: ${name} is not in docs/metrics.md`);
      }
      assert.ok(
        ['host', 'fleet'].includes(rule.labels?.scope ?? ''),
        `${rule.alert} has scope host or fleet`,
      );
      assert.ok(['page', 'warning'].includes(rule.labels?.severity ?? ''), `${rule.alert} has a severity`);
    }
  });
});

describe('deploy/prometheus/prometheus.yml and deploy/alertmanager/alertmanager.yml', () => {
  test('the scrape example passes promtool check config, with file_sd targets for both jobs', () => {
    run('promtool', ['check', 'config', join(DEPLOY, 'prometheus/prometheus.yml')]);
    const config = parse(readFileSync(join(DEPLOY, 'prometheus/prometheus.yml'), 'utf8')) as {
      scrape_configs: { job_name: string; file_sd_configs?: { files: string[] }[] }[];
    };
    assert.deepEqual(config.scrape_configs.map((s) => s.job_name).sort(), ['node', 'vigil-agent']);
    for (const job of config.scrape_configs) {
      for (const file of job.file_sd_configs?.flatMap((sd) => sd.files) ?? []) {
        const groups = JSON.parse(readFileSync(join(DEPLOY, 'prometheus', file), 'utf8')) as {
          targets: string[];
          labels: Record<string, string>;
        }[];
        for (const group of groups) assert.ok(group.targets.length > 0 && group.labels.env, file);
      }
    }
  });

  test("the scrape example gives a host's agent and node_exporter targets one instance: its name", () => {
    const instances: Record<string, string[]> = {};
    for (const job of ['vigil-agent', 'node']) {
      const sd = spawnSync(
        'promtool',
        ['check', 'service-discovery', '--timeout=2s', 'prometheus.yml', job],
        {
          encoding: 'utf8',
          cwd: join(DEPLOY, 'prometheus'),
          timeout: 60_000,
        },
      );
      assert.equal(sd.status, 0, `promtool check service-discovery ${job}: ${sd.stderr}`);
      const targets = JSON.parse(sd.stdout) as { labels: Record<string, string> }[];
      for (const { labels } of targets) {
        assert.ok(labels.env, `${job} ${labels.__address__} has an env`);
        assert.equal(
          labels.instance,
          labels.__address__?.replace(/:\d+$/, ''),
          `${job} ${labels.__address__}`,
        );
      }
      instances[job] = targets.map((t) => t.labels.instance as string).sort();
    }
    assert.ok((instances.node ?? []).length > 0);
    assert.deepEqual(instances['vigil-agent'], instances.node);
  });

  test('the Alertmanager example passes amtool, groups by alertname and env, inhibits by real names', () => {
    const file = join(DEPLOY, 'alertmanager/alertmanager.yml');
    run('amtool', ['check-config', file]);
    const config = parse(readFileSync(file, 'utf8')) as {
      route: { group_by: string[] };
      inhibit_rules: { source_matchers: string[]; target_matchers: string[]; equal: string[] }[];
    };
    assert.deepEqual(config.route.group_by, ['alertname', 'env']);
    const names = new Set(rules.map((r) => r.alert));
    for (const rule of config.inhibit_rules) {
      for (const matcher of [...rule.source_matchers, ...rule.target_matchers]) {
        const alertname = /^alertname=~?"(.+)"$/.exec(matcher)?.[1];
        for (const name of alertname?.split('|') ?? [])
          assert.ok(names.has(name), `inhibit rule names ${name}`);
      }
      assert.ok(rule.equal.includes('env'), 'an inhibition never crosses envs');
    }
    const fleet = config.inhibit_rules.find((r) =>
      r.source_matchers.includes('alertname="VigilFleetAgentRestarts"'),
    );
    assert.deepEqual(fleet?.target_matchers, ['scope="host"']);
  });
});

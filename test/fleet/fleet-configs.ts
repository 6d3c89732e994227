/**
 * The fleet run's copies of the shipped deploy/ files, changed only where a run of minutes
 * needs it:
 * - rules: every duration (`for`, `keep_firing_for`, range selectors) divided by TIME_SCALE
 *   (15m → 30 s, 2m → 4 s); thresholds are kept, the 120 s staleness too, since the watchdog's
 *   30 s refresh is not compressed;
 * - prometheus.yml: scrape and evaluation every second, the run's file_sd files, rule file and
 *   Alertmanager; jobs and relabelling as shipped;
 * - alertmanager.yml: group_wait and group_interval 2 s (30 s and 5 m shipped), every
 *   webhook to the test's receiver; routes, grouping and inhibitions as shipped.
 * Each is written as JSON, which both engines read as YAML.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse } from 'yaml';
import { ROOT } from '../support/pair.ts';

export const TIME_SCALE = 30;
const DEPLOY = join(ROOT, 'deploy');
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** "15m" → "30s" at the run's scale; whole seconds, at least 1. */
export function scaleDuration(duration: string): string {
  const parts = [...duration.matchAll(/(\d+)([smhd])/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== duration) {
    throw new Error(`not a duration the fleet run can scale: ${duration}`);
  }
  const seconds = parts.reduce((sum, p) => sum + Number(p[1]) * (UNIT_SECONDS[p[2] as string] as number), 0);
  return `${Math.max(1, Math.round(seconds / TIME_SCALE))}s`;
}

interface RuleFile {
  groups: { name: string; interval?: string; rules: Record<string, unknown>[] }[];
}

export function scaledRules(): RuleFile {
  const rules = parse(readFileSync(join(DEPLOY, 'prometheus/vigil.rules.yml'), 'utf8')) as RuleFile;
  for (const group of rules.groups) {
    for (const rule of group.rules) {
      for (const key of ['for', 'keep_firing_for'] as const) {
        if (typeof rule[key] === 'string') rule[key] = scaleDuration(rule[key] as string);
      }
      rule.expr = (rule.expr as string).replace(
        /\[([0-9smhd]+)\]/g,
        (_, d: string) => `[${scaleDuration(d)}]`,
      );
    }
  }
  return rules;
}

export interface FleetConfigPaths {
  prometheus: string;
  rules: string;
  alertmanager: string;
  /** file_sd file of each job's shipped file name (vigil-agents.json, nodes.json). */
  targets: Record<string, string>;
}

export function writeFleetConfigs(
  dir: string,
  alertmanagerAddress: string,
  receiverUrl: string,
): FleetConfigPaths {
  const paths: FleetConfigPaths = {
    prometheus: join(dir, 'prometheus.json'),
    rules: join(dir, 'vigil.rules.json'),
    alertmanager: join(dir, 'alertmanager.json'),
    targets: {},
  };
  writeFileSync(paths.rules, JSON.stringify(scaledRules(), null, 2));

  const prometheus = parse(readFileSync(join(DEPLOY, 'prometheus/prometheus.yml'), 'utf8')) as {
    global: Record<string, string>;
    rule_files: string[];
    alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
    scrape_configs: { job_name: string; file_sd_configs: { files: string[] }[] }[];
  };
  prometheus.global = { ...prometheus.global, scrape_interval: '1s', evaluation_interval: '1s' };
  prometheus.rule_files = [paths.rules];
  prometheus.alerting.alertmanagers = [{ static_configs: [{ targets: [alertmanagerAddress] }] }];
  for (const job of prometheus.scrape_configs) {
    for (const sd of job.file_sd_configs) {
      sd.files = sd.files.map((file) => {
        const path = join(dir, basename(file));
        paths.targets[basename(file)] = path;
        return path;
      });
    }
  }
  writeFileSync(paths.prometheus, JSON.stringify(prometheus, null, 2));

  const alertmanager = parse(readFileSync(join(DEPLOY, 'alertmanager/alertmanager.yml'), 'utf8')) as {
    route: Record<string, unknown>;
    receivers: { name: string; webhook_configs?: { url: string }[] }[];
  };
  alertmanager.route = {
    ...alertmanager.route,
    group_wait: '2s',
    group_interval: '2s',
    repeat_interval: '1h',
  };
  for (const receiver of alertmanager.receivers) {
    for (const hook of receiver.webhook_configs ?? []) hook.url = `${receiverUrl}/${receiver.name}`;
  }
  writeFileSync(paths.alertmanager, JSON.stringify(alertmanager, null, 2));
  return paths;
}

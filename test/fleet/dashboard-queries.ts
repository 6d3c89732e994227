/**
 * Every PromQL of deploy/grafana/vigil.json — panel targets, annotations, and the series
 * selectors of its label_values() variables — with Grafana's variables replaced by values a
 * test chooses, so Prometheus itself can parse and answer them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../support/pair.ts';

export const DASHBOARD = join(ROOT, 'deploy/grafana/vigil.json');

export interface DashboardQuery {
  /** Where it is: panel title and refId, annotation name, or variable name. */
  where: string;
  kind: 'panel' | 'annotation' | 'variable';
  expr: string;
  /** For a variable: the label whose values it lists. */
  label?: string;
}

export interface GrafanaValues {
  env: string;
  instance: string;
  rateInterval: string;
  range: string;
}

interface Target {
  refId: string;
  expr: string;
}
interface Panel {
  title: string;
  type: string;
  targets?: Target[];
  panels?: Panel[];
}

export function readDashboard(file = DASHBOARD): Record<string, unknown> {
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

export function dashboardQueries(dashboard = readDashboard()): DashboardQuery[] {
  const out: DashboardQuery[] = [];
  const walk = (panels: Panel[]) => {
    for (const panel of panels) {
      for (const t of panel.targets ?? []) {
        out.push({ where: `panel "${panel.title}" ${t.refId}`, kind: 'panel', expr: t.expr });
      }
      walk(panel.panels ?? []);
    }
  };
  walk(dashboard.panels as Panel[]);
  const annotations = (dashboard.annotations as { list: { name: string; expr?: string }[] }).list;
  for (const a of annotations) {
    if (a.expr) out.push({ where: `annotation "${a.name}"`, kind: 'annotation', expr: a.expr });
  }
  const variables = (dashboard.templating as { list: { name: string; query: { query: string } }[] }).list;
  for (const v of variables) {
    const labelValues = /^label_values\((.+),\s*(\w+)\)$/.exec(v.query.query);
    if (!labelValues) throw new Error(`variable ${v.name}: not a label_values() query: ${v.query.query}`);
    out.push({
      where: `variable "${v.name}"`,
      kind: 'variable',
      expr: labelValues[1] as string,
      label: labelValues[2] as string,
    });
  }
  return out;
}

/** Grafana's substitution, for the variables the dashboard uses; any other `$` is an error. */
export function substitute(expr: string, values: GrafanaValues): string {
  const out = expr
    .replaceAll('$__rate_interval', values.rateInterval)
    .replaceAll('$__range', values.range)
    .replaceAll('$instance', values.instance)
    .replaceAll('$env', values.env);
  if (out.includes('$')) throw new Error(`a Grafana variable the test does not know: ${expr}`);
  return out;
}

/** The vigil_ metric families an expression reads (a histogram's _bucket is its family). */
export function metricNames(expr: string): string[] {
  const names = [...expr.matchAll(/\bvigil_[a-z0-9_]+/g)].map((m) =>
    m[0].replace(/_(bucket|sum|count)$/, ''),
  );
  return [...new Set(names)];
}

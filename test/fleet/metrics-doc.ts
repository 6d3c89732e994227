/**
 * docs/metrics.md read as data: the metric tables of its "Agent" and "Watchdog" sections, so a
 * test can hold what vigil exports against what the page promises.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../support/pair.ts';

export interface DocumentedMetric {
  name: string;
  type: string;
  labels: string[];
}

export const METRICS_DOC = join(ROOT, 'docs/metrics.md');

/** The rows of each `## ` section's tables whose first cell is a backticked vigil_ name. */
export function readMetricsDoc(file = METRICS_DOC): Record<'agent' | 'watchdog', DocumentedMetric[]> {
  const sections: Record<string, DocumentedMetric[]> = {};
  let current: DocumentedMetric[] | undefined;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const heading = /^## (\w+)/.exec(line);
    if (heading) {
      current = [];
      sections[(heading[1] as string).toLowerCase()] = current;
      continue;
    }
    const cells = line.split('|').map((cell) => cell.trim());
    const name = /^`(vigil_[a-z0-9_]+)`$/.exec(cells[1] ?? '')?.[1];
    if (!name || !current || cells.length < 6) continue;
    const labels = [...(cells[4] as string).matchAll(/`([a-z_]+)`/g)].map((m) => m[1] as string);
    current.push({ name, type: cells[2] as string, labels: labels.sort() });
  }
  return { agent: sections.agent ?? [], watchdog: sections.watchdog ?? [] };
}

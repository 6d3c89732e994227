/** The Prometheus text format read back: each metric family's type and the label names of its samples. */
export interface ExposedMetric {
  name: string;
  type: string;
  /** Label names of each sample, sorted and joined by commas (histogram `le` left out). */
  labelSets: Set<string>;
}

const SUFFIXES: Record<string, string[]> = {
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['_sum', '_count'],
};

export function parseExposition(text: string): Map<string, ExposedMetric> {
  const families = new Map<string, ExposedMetric>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) {
      const [, name, kind] = type as unknown as [string, string, string];
      families.set(name, { name, type: kind, labelSets: new Set() });
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? \S+/.exec(line);
    if (!sample) throw new Error(`not a sample line: ${line}`);
    const [, sampleName, labelText = ''] = sample as unknown as [string, string, string | undefined];
    const family = familyOf(families, sampleName);
    if (!family) throw new Error(`sample without a # TYPE: ${line}`);
    const names = [...labelText.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="(?:[^"\\]|\\.)*"/g)]
      .map((m) => m[1] as string)
      .filter((n) => !(family.type === 'histogram' && n === 'le'))
      .sort();
    family.labelSets.add(names.join(','));
  }
  return families;
}

function familyOf(families: Map<string, ExposedMetric>, sampleName: string): ExposedMetric | undefined {
  const exact = families.get(sampleName);
  if (exact) return exact;
  for (const family of families.values()) {
    if ((SUFFIXES[family.type] ?? []).some((s) => sampleName === family.name + s)) return family;
  }
  return undefined;
}

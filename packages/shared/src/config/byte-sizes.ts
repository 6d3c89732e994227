/**
 * Byte sizes in the config may carry a unit, as systemd's MemoryMax= does: `150M`, `1.5G`,
 * `512K`, `150MiB`; the multiples are powers of 1024 (M = MiB). A plain number is bytes. The
 * strings are turned into integers before the schema sees the file, so the rest of vigil only
 * ever handles numbers, and a bad size is reported with its path like any other problem.
 */

/** The config paths that hold a byte size. */
export const BYTE_SIZE_PATHS: readonly string[] = [
  'watchdog.resources.memory.maxRssBytes',
  'watchdog.resources.memory.ceilingRssBytes',
  'watchdog.history.maxBytes',
  'log.maxBytes',
];

const POWERS: Record<string, number> = { '': 0, K: 1, M: 2, G: 3, T: 4 };

/** `150M` → 157286400; a number is returned as it is; null when the text is not a size. */
export function parseByteSize(value: string | number): number | null {
  if (typeof value === 'number') return value;
  const match = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?\s*$/i.exec(value);
  if (!match) return null;
  const power = POWERS[(match[2] ?? '').toUpperCase()] ?? 0;
  return Math.round(Number(match[1]) * 1024 ** power);
}

/**
 * A copy of the raw config with every byte size at BYTE_SIZE_PATHS turned into a number, and
 * the problems with those that are not sizes.
 */
export function normaliseByteSizes(raw: unknown): { value: unknown; problems: string[] } {
  const problems: string[] = [];
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { value: raw, problems };
  const root = structuredClone(raw) as Record<string, unknown>;
  for (const path of BYTE_SIZE_PATHS) {
    const keys = path.split('.');
    let node: unknown = root;
    for (const key of keys.slice(0, -1)) {
      node =
        node && typeof node === 'object' && !Array.isArray(node)
          ? (node as Record<string, unknown>)[key]
          : undefined;
    }
    const last = keys.at(-1) as string;
    if (!node || typeof node !== 'object' || Array.isArray(node)) continue;
    const holder = node as Record<string, unknown>;
    const value = holder[last];
    if (typeof value !== 'string') continue;
    const bytes = parseByteSize(value);
    if (bytes === null) {
      problems.push(
        `${path}: must be a byte size (bytes, or with a unit: 512K, 150M, 1.5G), got ${JSON.stringify(value)}`,
      );
    } else {
      holder[last] = bytes;
    }
  }
  return { value: root, problems };
}

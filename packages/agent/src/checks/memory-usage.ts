/**
 * `memory`: host memory in use, as 1 − MemAvailable/MemTotal from /proc/meminfo. MemAvailable
 * is the kernel's own estimate of what can be had without swapping (page cache counts as free);
 * kernels older than 3.14 lack it, and then free + buffers + cached stands in.
 */
import { readFile } from 'node:fs/promises';
import type { CheckConfig } from '../config/checks-schema.js';
import { type Check, type CheckOutcome, crossedThreshold, gradeAtLeast } from './check-result.js';

type MemoryConfig = Extract<CheckConfig, { type: 'memory' }>;

export interface MemoryUsageOptions {
  /** Read instead of /proc/meminfo (tests). */
  meminfoPath?: string;
}

/** Used percent and total bytes from the text of /proc/meminfo. */
export function parseMeminfo(text: string): { usedPercent: number; totalBytes: number } {
  const kib = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^(\w+):\s+(\d+)/.exec(line);
    if (match?.[1] && match[2]) kib.set(match[1], Number(match[2]));
  }
  const total = kib.get('MemTotal');
  if (!total) throw new Error('meminfo has no MemTotal');
  const available =
    kib.get('MemAvailable') ??
    (kib.get('MemFree') ?? 0) + (kib.get('Buffers') ?? 0) + (kib.get('Cached') ?? 0);
  return { usedPercent: (1 - available / total) * 100, totalBytes: total * 1024 };
}

export function createMemoryUsageCheck(config: MemoryConfig, options: MemoryUsageOptions = {}): Check {
  const path = options.meminfoPath ?? '/proc/meminfo';
  return {
    config,
    async run(signal): Promise<CheckOutcome> {
      const { usedPercent, totalBytes } = parseMeminfo(await readFile(path, { encoding: 'utf8', signal }));
      const status = gradeAtLeast(usedPercent, config.warnPercent, config.criticalPercent);
      const crossed = crossedThreshold(status, `${config.warnPercent}%`, `${config.criticalPercent}%`);
      const totalGib = totalBytes / 1024 ** 3;
      return {
        status,
        summary: `memory ${usedPercent.toFixed(1)}% used of ${totalGib.toFixed(1)} GiB${crossed}`,
        value: Math.round(usedPercent * 10) / 10,
        unit: '%',
      };
    },
  };
}

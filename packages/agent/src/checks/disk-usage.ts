/**
 * `disk`: how full the filesystem holding `path` is, counted the way df counts it: blocks
 * reserved for root are neither used nor available, so 100% means "full for unprivileged users".
 */
import { statfs } from 'node:fs/promises';
import type { CheckConfig } from '../config/checks-schema.js';
import { type Check, type CheckOutcome, crossedThreshold, gradeAtLeast } from './check-result.js';

type DiskConfig = Extract<CheckConfig, { type: 'disk' }>;

const GIB = 1024 ** 3;

export function usedPercent(stats: { bsize: number; blocks: number; bfree: number; bavail: number }) {
  const used = stats.blocks - stats.bfree;
  const total = used + stats.bavail;
  return total === 0 ? 0 : (used / total) * 100;
}

export function createDiskUsageCheck(config: DiskConfig): Check {
  return {
    config,
    async run(): Promise<CheckOutcome> {
      const stats = await statfs(config.path);
      const percent = usedPercent(stats);
      const status = gradeAtLeast(percent, config.warnPercent, config.criticalPercent);
      const free = (stats.bavail * stats.bsize) / GIB;
      const crossed = crossedThreshold(status, `${config.warnPercent}%`, `${config.criticalPercent}%`);
      return {
        status,
        summary: `${config.path} ${percent.toFixed(1)}% used, ${free.toFixed(1)} GiB free${crossed}`,
        value: Math.round(percent * 10) / 10,
        unit: '%',
      };
    },
  };
}

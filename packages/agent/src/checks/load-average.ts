/**
 * `load`: the load average over the configured window divided by the CPUs this process may use
 * (availableParallelism honours cgroup and affinity limits, unlike os.cpus().length).
 */
import os from 'node:os';
import type { CheckConfig } from '../config/checks-schema.js';
import { type Check, type CheckOutcome, crossedThreshold, gradeAtLeast } from './check-result.js';

type LoadConfig = Extract<CheckConfig, { type: 'load' }>;

export interface LoadAverageOptions {
  loadavg?: () => number[];
  cpus?: () => number;
}

const WINDOW_INDEX = { 1: 0, 5: 1, 15: 2 } as const;

export function createLoadAverageCheck(config: LoadConfig, options: LoadAverageOptions = {}): Check {
  const loadavg = options.loadavg ?? os.loadavg;
  const cpus = options.cpus ?? os.availableParallelism;
  return {
    config,
    async run(): Promise<CheckOutcome> {
      const load = loadavg()[WINDOW_INDEX[config.window]] ?? 0;
      const count = Math.max(1, cpus());
      const perCpu = load / count;
      const status = gradeAtLeast(perCpu, config.warnPerCpu, config.criticalPerCpu);
      const crossed = crossedThreshold(status, `${config.warnPerCpu}`, `${config.criticalPerCpu}`);
      return {
        status,
        summary: `load${config.window} ${load.toFixed(2)} on ${count} CPU${count === 1 ? '' : 's'}, ${perCpu.toFixed(2)} per CPU${crossed}`,
        value: Math.round(perCpu * 100) / 100,
        unit: 'per cpu',
      };
    },
  };
}

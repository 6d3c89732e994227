/**
 * `process`: how many processes match by exact name (ps-list `name`: the executable's
 * basename) and/or by a regular expression over the full command line; both must match when
 * both are given. The agent never counts itself, so a pattern that happens to match its own
 * command line cannot keep a check green.
 */

import type { ProcessDescriptor } from 'ps-list';
import type { CheckConfig } from '../config/checks-schema.js';
import type { Check, CheckOutcome, CheckStatus } from './check-result.js';
import { loadPsList } from './lazy-modules.js';

type ProcessConfig = Extract<CheckConfig, { type: 'process' }>;

export interface ProcessPresentOptions {
  list?: () => Promise<ProcessDescriptor[]>;
  selfPid?: number;
}

function describeMatch(config: ProcessConfig): string {
  const parts: string[] = [];
  if (config.processName !== undefined) parts.push(`name=${config.processName}`);
  if (config.commandMatch !== undefined) parts.push(`cmd~/${config.commandMatch}/`);
  return parts.join(' ');
}

function describeBounds(config: ProcessConfig): string {
  return config.maxCount === undefined
    ? `min ${config.minCount}`
    : `min ${config.minCount}, max ${config.maxCount}`;
}

export function createProcessPresentCheck(config: ProcessConfig, options: ProcessPresentOptions = {}): Check {
  const list = options.list ?? (async () => (await loadPsList()).default());
  const selfPid = options.selfPid ?? process.pid;
  const pattern = config.commandMatch === undefined ? undefined : new RegExp(config.commandMatch);
  const matches = (p: ProcessDescriptor) =>
    p.pid !== selfPid &&
    (config.processName === undefined || p.name === config.processName) &&
    (pattern === undefined || pattern.test(p.cmd ?? ''));

  return {
    config,
    async run(): Promise<CheckOutcome> {
      const count = (await list()).filter(matches).length;
      let status: CheckStatus = 'ok';
      if (count < config.minCount) status = 'critical';
      else if (config.maxCount !== undefined && count > config.maxCount) status = 'warn';
      const noun = count === 1 ? 'process' : 'processes';
      return {
        status,
        summary: `${count} ${noun} with ${describeMatch(config)} (${describeBounds(config)})`,
        value: count,
        unit: 'processes',
      };
    },
  };
}

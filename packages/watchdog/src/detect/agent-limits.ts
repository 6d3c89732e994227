/**
 * The memory and CPU limits the watchdog applies. What the config sets applies as it is. The
 * bundled agent also gets defaults where the config sets none, because a leak or a spin must be
 * acted on out of the box: its resident memory is about 80–110 MB when idle and busy with its
 * default checks (measured here), so 256 MiB is over twice what it needs and 384 MiB is the
 * point past which nothing gentle is worth trying; its checks run in children and use a core
 * only for moments, so 90 % of a core for 10 s is a spin, not work. A custom `agent.command` is
 * a service vigil cannot size: it gets only what is configured.
 */
import type { VigilConfig } from '@vigil/shared/config';

const MiB = 1024 * 1024;

export const BUNDLED_AGENT_DEFAULTS = {
  maxRssBytes: 256 * MiB,
  ceilingRssBytes: 384 * MiB,
  cpuMaxPercent: 90,
  cpuForSamples: 40,
} as const;

export interface AgentLimits {
  memory: { maxRssBytes?: number | undefined; ceilingRssBytes?: number | undefined; forSamples: number };
  cpu: { maxPercent?: number | undefined; forSamples: number };
  /** Which limits came from vigil's defaults rather than the config. */
  defaulted: ('memory' | 'cpu')[];
}

export function agentLimits(config: VigilConfig): AgentLimits {
  const { resources } = config.watchdog;
  const bundled = config.agent.command === undefined && resources.bundledDefaults;
  const memorySet =
    resources.memory.maxRssBytes !== undefined || resources.memory.ceilingRssBytes !== undefined;
  const cpuSet = resources.cpu.maxPercent !== undefined;
  const defaulted: AgentLimits['defaulted'] = [];
  const memory = { ...resources.memory };
  const cpu = { ...resources.cpu };
  if (bundled && !memorySet) {
    memory.maxRssBytes = BUNDLED_AGENT_DEFAULTS.maxRssBytes;
    memory.ceilingRssBytes = BUNDLED_AGENT_DEFAULTS.ceilingRssBytes;
    defaulted.push('memory');
  }
  if (bundled && !cpuSet) {
    cpu.maxPercent = BUNDLED_AGENT_DEFAULTS.cpuMaxPercent;
    cpu.forSamples = BUNDLED_AGENT_DEFAULTS.cpuForSamples;
    defaulted.push('cpu');
  }
  return { memory, cpu, defaulted };
}

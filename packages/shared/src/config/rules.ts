/**
 * Rules that span fields, which a JSON Schema cannot say well. Each returns lines in the same
 * `path: problem` form as schema errors.
 */
import type { VigilConfig } from './schema.js';

/** One rule over a validated config: the problems it finds, as `path: problem` lines. */
export type ConfigRule<C extends VigilConfig = VigilConfig> = (config: C) => string[];
type Rule = ConfigRule;

const heartbeatTimeout: Rule = ({ watchdog: { heartbeat } }) =>
  heartbeat.timeoutMs > heartbeat.intervalMs
    ? []
    : [
        `watchdog.heartbeat.timeoutMs: must be greater than intervalMs (${heartbeat.intervalMs}), got ${heartbeat.timeoutMs}`,
      ];

const memoryCeiling: Rule = ({ watchdog }) => {
  const { maxRssBytes, ceilingRssBytes } = watchdog.resources.memory;
  if (maxRssBytes === undefined || ceilingRssBytes === undefined || ceilingRssBytes > maxRssBytes) return [];
  return [
    `watchdog.resources.memory.ceilingRssBytes: must be greater than maxRssBytes (${maxRssBytes}), got ${ceilingRssBytes}`,
  ];
};

const backoffRange: Rule = ({ watchdog: { recovery } }) =>
  recovery.backoff.maxMs >= recovery.backoff.initialMs
    ? []
    : [
        `watchdog.recovery.backoff.maxMs: must be at least initialMs (${recovery.backoff.initialMs}), got ${recovery.backoff.maxMs}`,
      ];

const metricsPort: Rule = ({ agent }) => {
  const port = Number(agent.metrics.listen.slice(agent.metrics.listen.lastIndexOf(':') + 1));
  return port <= 65_535 ? [] : [`agent.metrics.listen: port must be 0-65535, got ${port}`];
};

/** The rules of every key but the agent's checks (their rules are the agent's, with their schema). */
export const CONFIG_RULES: readonly Rule[] = [heartbeatTimeout, memoryCeiling, backoffRange, metricsPort];

/**
 * Rules that span fields, which a JSON Schema cannot say well. Each returns lines in the same
 * `path: problem` form as schema errors.
 */
import type { CheckConfig } from './checks-schema.js';
import type { VigilConfig } from './schema.js';

type Rule = (config: VigilConfig) => string[];

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

const uniqueCheckNames: Rule = ({ agent }) => {
  const first = new Map<string, number>();
  const problems: string[] = [];
  agent.checks.forEach((check, i) => {
    const seen = first.get(check.name);
    if (seen === undefined) first.set(check.name, i);
    else
      problems.push(`agent.checks[${i}].name: duplicate name "${check.name}" (also agent.checks[${seen}])`);
  });
  return problems;
};

function below(
  path: string,
  lowName: string,
  low: number | undefined,
  highName: string,
  high: number | undefined,
) {
  if (low === undefined || high === undefined || low < high) return [];
  return [`${path}.${lowName}: must be less than ${highName} (${high}), got ${low}`];
}

function validRegex(path: string, source: string | undefined): string[] {
  if (source === undefined) return [];
  try {
    new RegExp(source);
    return [];
  } catch (error) {
    return [`${path}: is not a valid regular expression (${(error as Error).message})`];
  }
}

function checkRules(check: CheckConfig, path: string): string[] {
  switch (check.type) {
    case 'disk':
    case 'memory':
      return below(path, 'warnPercent', check.warnPercent, 'criticalPercent', check.criticalPercent);
    case 'load':
      return below(path, 'warnPerCpu', check.warnPerCpu, 'criticalPerCpu', check.criticalPerCpu);
    case 'http':
      return [
        ...below(path, 'warnLatencyMs', check.warnLatencyMs, 'criticalLatencyMs', check.criticalLatencyMs),
        ...validRegex(`${path}.bodyMatch`, check.bodyMatch),
      ];
    case 'process': {
      const problems = validRegex(`${path}.commandMatch`, check.commandMatch);
      if (check.processName === undefined && check.commandMatch === undefined) {
        problems.push(`${path}: needs processName or commandMatch`);
      }
      if (check.maxCount !== undefined && check.maxCount < check.minCount) {
        problems.push(
          `${path}.maxCount: must be at least minCount (${check.minCount}), got ${check.maxCount}`,
        );
      }
      return problems;
    }
    default:
      return [];
  }
}

const perCheck: Rule = ({ agent }) =>
  agent.checks.flatMap((check, i) => checkRules(check, `agent.checks[${i}]`));

const checkTimeouts: Rule = ({ agent }) =>
  agent.checks.flatMap((check, i) =>
    check.timeoutMs < check.intervalMs
      ? []
      : [
          `agent.checks[${i}].timeoutMs: must be less than intervalMs (${check.intervalMs}), got ${check.timeoutMs}`,
        ],
  );

const RULES: readonly Rule[] = [
  heartbeatTimeout,
  memoryCeiling,
  backoffRange,
  metricsPort,
  uniqueCheckNames,
  perCheck,
  checkTimeouts,
];

export function crossFieldProblems(config: VigilConfig): string[] {
  return RULES.flatMap((rule) => rule(config));
}

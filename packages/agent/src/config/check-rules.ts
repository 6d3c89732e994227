/**
 * The rules over `agent.checks` that their schema cannot say well (names unique, warn below
 * critical, regular expressions that compile, a timeout below the interval), in the same
 * `path: problem` form as schema errors.
 */
import type { ConfigRule } from '@vigil/shared/config';
import type { CheckConfig } from './checks-schema.js';
import type { FullConfig } from './full-config.js';

type Rule = ConfigRule<FullConfig>;

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

export const CHECK_RULES: readonly Rule[] = [uniqueCheckNames, perCheck, checkTimeouts];

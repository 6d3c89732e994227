/**
 * The diff behind CheckRegistry.apply: which checks are new, gone, changed or the same, by name.
 * Every new check is built before anything changes, so a config that cannot be built (a bad
 * regular expression, a duplicate name) throws and leaves the running checks untouched; that is
 * what lets a hot reload roll back.
 */
import { isDeepStrictEqual } from 'node:util';
import type { CheckConfig } from '../config/checks-schema.js';
import { agentErrors } from '../errors.js';
import type { Check, CheckContext } from './check-result.js';
import type { ScheduledCheck } from './scheduled-check.js';

export interface ApplyDiff {
  added: string[];
  removed: string[];
  /** Changed settings; the state carries over unless the type changed. */
  retuned: string[];
  unchanged: string[];
}

export interface ApplyPlan {
  /** The checks from now on, in config order. */
  entries: Map<string, ScheduledCheck>;
  /** Added or retuned: each needs (re)starting. */
  fresh: ScheduledCheck[];
  /** To stop: removed checks, and the old entry of a check whose type changed. */
  retired: ScheduledCheck[];
  diff: ApplyDiff;
}

export type CheckFactory = (config: CheckConfig, context: CheckContext) => Check;

function buildAll(changed: readonly CheckConfig[], context: CheckContext, create: CheckFactory) {
  const built = new Map<string, Check>();
  try {
    for (const config of changed) built.set(config.name, create(config, context));
  } catch (error) {
    for (const check of built.values()) check.dispose?.();
    throw error;
  }
  return built;
}

export function planApply(
  current: ReadonlyMap<string, ScheduledCheck>,
  configs: readonly CheckConfig[],
  context: CheckContext,
  create: CheckFactory,
  schedule: (check: Check) => ScheduledCheck,
): ApplyPlan {
  const seen = new Set<string>();
  for (const config of configs) {
    if (seen.has(config.name)) {
      throw agentErrors.create('VIGIL_CHECK_CONFIG_INVALID', `two checks are named "${config.name}"`);
    }
    seen.add(config.name);
  }
  const changed = configs.filter((c) => !isDeepStrictEqual(current.get(c.name)?.config, c));
  const built = buildAll(changed, context, create);

  const plan: ApplyPlan = {
    entries: new Map(),
    fresh: [],
    retired: [],
    diff: { added: [], removed: [], retuned: [], unchanged: [] },
  };
  for (const config of configs) {
    const existing = current.get(config.name);
    const check = built.get(config.name);
    let entry = existing;
    if (!check && existing) {
      plan.diff.unchanged.push(config.name);
    } else if (check && existing?.config.type === config.type) {
      existing.replace(check);
      plan.diff.retuned.push(config.name);
      plan.fresh.push(existing);
    } else if (check) {
      entry = schedule(check);
      if (existing) plan.retired.push(existing);
      plan.diff[existing ? 'retuned' : 'added'].push(config.name);
      plan.fresh.push(entry);
    }
    if (entry) plan.entries.set(config.name, entry);
  }
  for (const [name, entry] of current) {
    if (seen.has(name)) continue;
    plan.retired.push(entry);
    plan.diff.removed.push(name);
  }
  return plan;
}

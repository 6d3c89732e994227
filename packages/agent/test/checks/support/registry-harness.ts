/**
 * A CheckRegistry on a FakeClock with scripted checks, recording every result and transition.
 * `step` moves time in small increments and lets promise callbacks run in between, as real time
 * would; one big clock.advance() would fire several ticks before any run could finish.
 */

import { FakeClock } from '@vigil/shared/testing';
import type { CheckFactory } from '../../../src/checks/apply-checks.ts';
import { CheckRegistry, type CheckTransition } from '../../../src/checks/check-registry.ts';
import type { CheckResult } from '../../../src/checks/check-result.ts';
import type { CheckConfig } from '../../../src/config/checks-schema.ts';
import { checkConfig, type TestContext, testContext } from './check-config.ts';
import { ScriptedChecks, settle } from './scripted-check.ts';

export interface Harness {
  clock: FakeClock;
  scripted: ScriptedChecks;
  registry: CheckRegistry;
  context: TestContext;
  results: CheckResult[];
  transitions: CheckTransition[];
  resultsOf(name: string): CheckResult[];
  step(ms: number, stepMs?: number): Promise<void>;
  dispose(): Promise<void>;
}

export function harness(options: { random?: () => number; createCheck?: CheckFactory } = {}): Harness {
  const clock = new FakeClock();
  const scripted = new ScriptedChecks();
  const context = testContext(clock);
  const registry = new CheckRegistry({
    context,
    random: options.random ?? (() => 0),
    createCheck: options.createCheck ?? scripted.create,
  });
  const results: CheckResult[] = [];
  const transitions: CheckTransition[] = [];
  registry.on('result', (result) => results.push(result));
  registry.on('transition', (transition) => transitions.push(transition));
  return {
    clock,
    scripted,
    registry,
    context,
    results,
    transitions,
    resultsOf: (name) => results.filter((r) => r.name === name),
    async step(ms, stepMs = 10) {
      // Even a zero step fires the timers that are due now.
      let done = 0;
      do {
        const by = Math.min(stepMs, ms - done);
        clock.advance(by);
        done += by;
        await settle();
      } while (done < ms);
    },
    async dispose() {
      await registry.stop();
      context.dispose();
    },
  };
}

/** A check config for scripted runs; its type only matters where a test says so. */
export function scriptedConfig(
  name: string,
  extra: Partial<Omit<Extract<CheckConfig, { type: 'command' }>, 'type' | 'name'>> = {},
): CheckConfig {
  return checkConfig({
    type: 'command',
    name,
    command: ['true'],
    intervalMs: 1000,
    timeoutMs: 500,
    ...extra,
  });
}

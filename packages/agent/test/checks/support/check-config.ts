/**
 * Check configs as the config loader would hand them over: validated against the real schema,
 * defaults filled in. A test names only what it cares about.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Clock, systemClock } from '@vigil/shared';
import { compileSchema } from '@vigil/shared/schemas';
import { quietLogger } from '@vigil/shared/testing';
import type { CheckContext } from '../../../src/checks/check-result.ts';
import { HttpPool } from '../../../src/checks/http-pool.ts';
import { type CheckConfig, CheckSchema, type CheckType } from '../../../src/config/checks-schema.ts';

const validate = compileSchema(CheckSchema, 'check');

export type ConfigOf<T extends CheckType> = Extract<CheckConfig, { type: T }>;

export function checkConfig<T extends CheckType>(
  input: { type: T; name: string } & Partial<Omit<ConfigOf<T>, 'type' | 'name'>>,
): ConfigOf<T> {
  const parsed = validate(structuredClone(input));
  if (!parsed.ok) throw new Error(`test config does not validate: ${parsed.errors.join('; ')}`);
  return parsed.value as ConfigOf<T>;
}

export interface TestContext extends CheckContext {
  dispose(): void;
}

/** A context with a fresh state dir and pool; dispose() removes both. */
export function testContext(clock: Clock = systemClock): TestContext {
  const stateDir = mkdtempSync(join(tmpdir(), 'vg-checks-'));
  const httpPool = new HttpPool();
  return {
    stateDir,
    logger: quietLogger(),
    clock,
    httpPool,
    dispose() {
      httpPool.destroy();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

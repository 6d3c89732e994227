// Every error code is unique across packages, prefixed VIGIL_, has a hint, and is documented in
// docs/errors.md (fastify keeps the same promise for its FST_ERR codes).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { agentErrors } from '@vigil/agent';
import { sdkErrors } from '@vigil/agent-sdk';
import { sharedErrors } from '@vigil/shared';
import { cliErrors } from '../packages/cli/src/errors.ts';
import { watchdogErrors } from '../packages/watchdog/src/errors.ts';

const registries: Record<string, Record<string, { hint: string }>> = {
  shared: sharedErrors.codes,
  agent: agentErrors.codes,
  'agent-sdk': sdkErrors.codes,
  watchdog: watchdogErrors.codes,
  cli: cliErrors.codes,
};
const docs = readFileSync(new URL('../docs/errors.md', import.meta.url), 'utf8');

test('error codes are unique, prefixed, hinted and documented', () => {
  const seen = new Map<string, string>();
  for (const [pkg, codes] of Object.entries(registries)) {
    for (const [code, definition] of Object.entries(codes)) {
      assert.match(code, /^VIGIL_[A-Z0-9_]+$/);
      assert.ok(!seen.has(code), `${code} is registered by both ${seen.get(code)} and ${pkg}`);
      seen.set(code, pkg);
      assert.ok(definition.hint.length > 10, `${code} needs a hint`);
      assert.ok(docs.includes(`\`${code}\``), `${code} is not documented in docs/errors.md`);
    }
  }
});

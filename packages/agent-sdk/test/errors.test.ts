// The SDK's codes keep the registry's promise: unique, prefixed, hinted and documented.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { sdkErrors } from '@vigil/agent-sdk';
import { sharedErrors } from '@vigil/shared';

const docs = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');

test('SDK error codes are prefixed, hinted, documented and not shared with @vigil/shared', () => {
  for (const [code, definition] of Object.entries(sdkErrors.codes)) {
    assert.match(code, /^VIGIL_[A-Z0-9_]+$/);
    assert.ok(!(code in sharedErrors.codes), `${code} is also registered by @vigil/shared`);
    assert.ok(definition.hint.length > 10, `${code} needs a hint`);
    assert.ok(docs.includes(`\`${code}\``), `${code} is not documented in docs/errors.md`);
  }
});

test('VIGIL_FAULTS_DISABLED says how to enable faults', () => {
  const error = sdkErrors.create('VIGIL_FAULTS_DISABLED', 'fault injection is disabled');
  assert.match(error.toDisplayString(), /hint: .*agent\.faults\.enabled: true/);
});

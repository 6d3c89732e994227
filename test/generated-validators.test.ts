// The validators in packages/*/src/generated/ are compiled from the TypeBox schemas at build
// time (scripts/generate-validators.ts). A schema changed without `pnpm generate` would leave the
// processes checking the old shape: this fails until the files are regenerated. It also checks
// that the generated code and ajv's own compiler judge the same inputs the same way.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAgentMessage, parseControlResponse } from '@vigil/shared';
import { compileSchema, HelloMessage } from '@vigil/shared/schemas';
import { staleOutputs } from '../scripts/generate-validators.ts';

test('the generated validators are what the schemas generate now', () => {
  assert.deepEqual(staleOutputs(), [], 'run `pnpm generate` and commit the result');
});

test('a generated validator and the compiled schema give the same answer and the same errors', () => {
  const compiled = compileSchema(HelloMessage, 'hello');
  const samples: unknown[] = [
    { v: 1, type: 'hello', pid: 10, agent: 'a', version: '1', capabilities: [] },
    { v: 1, type: 'hello', pid: -1, agent: '', extra: true },
    { v: 1, type: 'hello' },
  ];
  for (const sample of samples) {
    const a = parseAgentMessage(structuredClone(sample));
    const b = compiled(structuredClone(sample));
    assert.deepEqual(a, b, JSON.stringify(sample));
  }
  const refused = parseControlResponse({ v: 1, type: 'response', id: 'x', ok: false, error: { code: 1 } });
  assert.equal(refused.ok, false);
  if (!refused.ok) assert.match(refused.errors.join('\n'), /response\.error\.code/);
});

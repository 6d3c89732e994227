// The validators in packages/*/src/generated/ are compiled from the TypeBox schemas at build
// time (scripts/generate-validators.ts). A schema changed without `pnpm generate` would leave the
// processes checking the old shape: this fails until the files are regenerated. It also checks
// that the generated code and ajv's own compiler judge the same inputs the same way.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TSchema } from '@sinclair/typebox';
import {
  codePointLength,
  type GeneratedValidator,
  parseAgentMessage,
  parseControlResponse,
  validatorOf,
} from '@vigil/shared';
import { defaultConfig } from '@vigil/shared/config';
import {
  ConfigSchema,
  compileSchema,
  HelloMessage,
  Incident,
  RecoverRequest,
  StatusSnapshot,
} from '@vigil/shared/schemas';
import ucs2lengthModule from 'ajv/dist/runtime/ucs2length.js';
import { FullConfigSchema } from '../packages/agent/src/config/checks-schema.ts';
import { fullConfig } from '../packages/agent/src/generated/config.ts';
import { sampleIncident, sampleSnapshot } from '../packages/cli/test/snapshot-fixture.ts';
import { config } from '../packages/shared/src/generated/config.ts';
import { recoverRequest } from '../packages/shared/src/generated/control-requests.ts';
import { incident } from '../packages/shared/src/generated/incident.ts';
import { statusSnapshot } from '../packages/shared/src/generated/status-snapshot.ts';
import { literalUnionsAsEnums, staleOutputs } from '../scripts/generate-validators.ts';
import { type Path, paths, set } from './fuzz/mutate-message.ts';
import type { JsonObject } from './fuzz/valid-messages.ts';

const ucs2length = ucs2lengthModule.default;

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

// Every value of a valid document (the root, each container, each leaf) replaced, one at a time, by values of each kind; the generated
// validator (literal unions rewritten as enums, vigil's own helpers) must answer each exactly as
// ajv compiling the TypeBox schema as written does, error lines included.
const WRONG_VALUES: unknown[] = ['no-such-value', '', 7, -1, 1.5, null, true, {}, [], ['x'], 'x'.repeat(300)];

/** `document` with `value` at `path` (the root for []), as a copy of its own. */
function withValueAt(document: unknown, path: Path, value: unknown): unknown {
  if (path.length === 0) return structuredClone(value);
  const copy = structuredClone(document) as JsonObject;
  set(copy, path, structuredClone(value));
  return copy;
}

function assertSameVerdicts(
  name: string,
  generated: GeneratedValidator,
  schema: TSchema,
  valid: unknown,
): void {
  const ours = validatorOf(generated);
  const ajvs = compileSchema(schema);
  assert.equal(ours(structuredClone(valid)).ok, true, `${name}: the sample is valid`);
  let refused = 0;
  for (const path of [[], ...paths(valid, Number.POSITIVE_INFINITY)]) {
    for (const wrong of WRONG_VALUES) {
      const sample = withValueAt(valid, path, wrong);
      const verdict = ours(structuredClone(sample));
      assert.deepEqual(
        verdict,
        ajvs(structuredClone(sample)),
        `${name} with ${JSON.stringify(wrong)} at /${path.join('/')}`,
      );
      if (!verdict.ok) refused++;
    }
  }
  assert.ok(refused >= 20, `${name}: only ${refused} mutated samples were refused`);
}

test('generated validators judge every mutated document as the schema does, error lines included', () => {
  assertSameVerdicts('status snapshot', statusSnapshot, StatusSnapshot, sampleSnapshot());
  assertSameVerdicts('incident', incident, Incident, sampleIncident());
  assertSameVerdicts('config', config, ConfigSchema, defaultConfig());
  const recover = { v: 1, type: 'request', id: 'r-1', op: 'recover', level: 'medium' };
  assertSameVerdicts('recover request', recoverRequest, RecoverRequest, recover);
  // The agent's config with every default check: its checks are a discriminated union.
  assertSameVerdicts('full config', fullConfig, FullConfigSchema, defaultConfig());
});

test('a union of literals reads as an enum; anything else is left as written', () => {
  const literal = (value: string) => ({ const: value, type: 'string' });
  assert.deepEqual(literalUnionsAsEnums({ anyOf: [literal('a'), literal('b')], description: 'd' }), {
    description: 'd',
    enum: ['a', 'b'],
  });
  const nullable = { anyOf: [{ anyOf: [literal('a'), { const: 1 }] }, { type: 'null' }] };
  assert.deepEqual(literalUnionsAsEnums(nullable), { anyOf: [{ enum: ['a', 1] }, { type: 'null' }] });
  const annotated = { anyOf: [literal('a'), { const: 'b', type: 'string', description: 'b' }] };
  assert.deepEqual(literalUnionsAsEnums(annotated), annotated);
  assert.deepEqual(literalUnionsAsEnums({ anyOf: [literal('a')] }), { anyOf: [literal('a')] });
  // Data is never rewritten, even when it reads like a union of literals.
  const data = { anyOf: [literal('a'), literal('b')] };
  for (const keyword of ['const', 'default', 'examples']) {
    assert.deepEqual(literalUnionsAsEnums({ type: 'object', [keyword]: data }), {
      type: 'object',
      [keyword]: data,
    });
  }
  assert.deepEqual(literalUnionsAsEnums({ enum: [data] }), { enum: [data] });
  // Not where merging would judge differently: another check beside the union, a branch whose
  // type is not its value's, a branch that is not a primitive.
  for (const kept of [
    { anyOf: [literal('a'), literal('b')], enum: ['a'] },
    { anyOf: [literal('a'), literal('b')], not: { const: 'a' } },
    { anyOf: [literal('a'), literal('b')], type: 'string' },
    { anyOf: [{ const: 1, type: 'string' }, literal('b')] },
    { anyOf: [{ const: 1.5, type: 'integer' }, { const: 2 }] },
    { anyOf: [{ const: { a: 1 } }, literal('b')] },
    { anyOf: [{ const: [1] }, literal('b')] },
  ]) {
    assert.deepEqual(literalUnionsAsEnums(kept), kept, JSON.stringify(kept));
  }
  assert.deepEqual(literalUnionsAsEnums({ anyOf: [{ const: 2, type: 'integer' }, { const: null }] }), {
    enum: [2, null],
  });
});

test("codePointLength counts as ajv's ucs2length does, lone surrogates included", () => {
  const units = [0x41, 0xe9, 0xd800, 0xdbff, 0xdc00, 0xdfff, 0xd83d, 0xde00, 0xe000, 0xffff];
  let seed = 7;
  const next = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed;
  };
  const strings = ['', 'abc', '😀', 'a😀b', '\ud800', '\udc00\ud800', 'x\ud83d'];
  for (let i = 0; i < 3000; i++) {
    const length = next() % 9;
    strings.push(
      String.fromCharCode(...Array.from({ length }, () => units[next() % units.length] as number)),
    );
  }
  for (const text of strings) assert.equal(codePointLength(text), ucs2length(text), JSON.stringify(text));
});

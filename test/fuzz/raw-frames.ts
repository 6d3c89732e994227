/**
 * Frames built as bytes rather than as objects, for what JSON.stringify cannot produce: text
 * that is not JSON, number literals at the edges of IEEE 754, nesting ten thousand levels deep,
 * lines past the 64 KiB limit (and exactly at it), bytes that are not UTF-8.
 */

import { MAX_FRAME_BYTES } from '@vigil/shared';
import fc from 'fast-check';
import type { JsonObject } from './valid-messages.ts';

export const lineEnding = fc.constantFrom('\n', '\n', '\n', '\r\n');

const BROKEN_JSON = [
  '{',
  '}',
  '{"v":1,',
  '{"v":1,"type":"hello",}',
  "{'v':1,'type':'hello'}",
  '{"v":1 "type":"heartbeat"}',
  '{v:1,type:"hello"}',
  '[1,2,]',
  'NaN',
  '-',
  'undefined',
  '{"v":NaN}',
  '{"v":Infinity}',
  '{"v":-Infinity}',
  '{"v":01}',
  '{"v":1.}',
  '{"v":.5}',
  '{"v":0x10}',
  '{"v":1} trailing',
  '{"v":1}{"v":1}',
  '"unterminated',
  '{"type":"hel\tlo"}',
  '{"type":"\\x41"}',
  '{"type":"\\u12"}',
  '{"type":"\\uZZZZ"}',
  '// comment\n',
  '{"v":1 /* c */}',
  '\u00a0{}',
  '\ufeff{"v":1,"type":"hello"}',
  'true false',
  'nul',
  'tru',
];

/** Text that JSON.parse rejects: classic mistakes, truncations and random strings. */
export function invalidJson(valid: fc.Arbitrary<JsonObject>): fc.Arbitrary<string> {
  const truncated = fc.tuple(valid, fc.double({ min: 0.05, max: 0.95, noNaN: true })).map(([message, at]) => {
    const text = JSON.stringify(message);
    return text.slice(0, Math.max(1, Math.floor(text.length * at)));
  });
  const flipped = fc
    .tuple(valid, fc.nat(), fc.constantFrom('{', '}', '"', ',', ':', '[', '\\', 'x'))
    .map(([message, at, char]) => {
      const text = JSON.stringify(message);
      const i = at % text.length;
      return text.slice(0, i) + char + text.slice(i + 1);
    });
  return fc
    .oneof(
      { arbitrary: fc.constantFrom(...BROKEN_JSON), weight: 3 },
      { arbitrary: truncated, weight: 3 },
      { arbitrary: flipped, weight: 3 },
      { arbitrary: fc.string({ minLength: 1, maxLength: 200 }), weight: 2 },
      { arbitrary: fc.string({ minLength: 1, maxLength: 60, unit: 'grapheme' }), weight: 1 },
    )
    .map((text) => text.replaceAll('\n', ' '))
    .filter((text) => text.trim() !== '' && !parses(text));
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

const HUGE_NUMBERS = [
  '1e308',
  '-1e308',
  '1.7976931348623157e308',
  '1e309',
  '-1e309',
  '-0',
  '-0.0',
  '0e0',
  '5e-324',
  '1e-400',
  '9007199254740993',
  '-9007199254740993',
  '9007199254740992',
  '4294967297',
  '18446744073709551616',
  '123456789012345678901234567890123456789',
  '1e21',
  '2e9',
  '1.0',
  '1E0',
  '0.1',
  '-1',
  '"NaN"',
  '"-0"',
  '"Infinity"',
  '"1e308"',
  '"9007199254740993"',
];

const PLACEHOLDER = '__vigil_fuzz_number__';
const numberLiteral = fc.oneof(
  { arbitrary: fc.constantFrom(...HUGE_NUMBERS), weight: 4 },
  { arbitrary: fc.integer({ min: 1, max: 400 }).map((n) => '9'.repeat(n)), weight: 1 },
  { arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)), weight: 1 },
  { arbitrary: fc.bigInt({ min: -(2n ** 130n), max: 2n ** 130n }).map(String), weight: 1 },
);

/** A valid message with one field (or `v`) replaced by an extreme number literal, as raw text. */
export function hugeNumbers(valid: fc.Arbitrary<JsonObject>): fc.Arbitrary<string> {
  return fc.tuple(valid, fc.nat(), numberLiteral).map(([message, pick, literal]) => {
    const copy = structuredClone(message);
    const keys = Object.keys(copy);
    const key = keys[pick % keys.length] ?? 'v';
    if (key === 'health' && copy.health && typeof copy.health === 'object' && pick % 2 === 0) {
      (copy.health as JsonObject).checks = { total: PLACEHOLDER, ok: 0, warn: 0, critical: 0 };
    } else copy[key] = PLACEHOLDER;
    return JSON.stringify(copy).replace(`"${PLACEHOLDER}"`, literal);
  });
}

export type NestingShape = 'array' | 'object' | 'mixed';

export function nest(depth: number, shape: NestingShape): string {
  if (shape === 'array') return `${'['.repeat(depth)}${']'.repeat(depth)}`;
  if (shape === 'object') return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
  const half = Math.floor(depth / 2);
  return `${'[{"a":'.repeat(half)}0${'}]'.repeat(half)}`;
}

/** Nesting up to ten thousand levels deep: the whole line, or the value of one field. */
export function deepNesting(valid: fc.Arbitrary<JsonObject>): fc.Arbitrary<string> {
  const depth = fc.oneof(
    fc.integer({ min: 1, max: 200 }),
    fc.integer({ min: 1000, max: 10_000 }),
    fc.constant(10_000),
  );
  return fc
    .tuple(valid, depth, fc.constantFrom<NestingShape>('array', 'object', 'mixed'), fc.nat(), fc.boolean())
    .map(([message, levels, shape, pick, whole]) => {
      const deep = nest(levels, shape);
      if (whole) return deep;
      const copy = structuredClone(message);
      const keys = [...Object.keys(copy), 'extra'];
      copy[keys[pick % keys.length] ?? 'extra'] = PLACEHOLDER;
      return JSON.stringify(copy).replace(`"${PLACEHOLDER}"`, deep);
    })
    .filter((text) => Buffer.byteLength(text) <= MAX_FRAME_BYTES);
}

/** Lines at and past the 64 KiB limit, counted in bytes (multi-byte characters included). */
export const oversize: fc.Arbitrary<Buffer> = fc
  .record({
    bytes: fc.oneof(
      {
        arbitrary: fc.constantFrom(
          MAX_FRAME_BYTES - 1,
          MAX_FRAME_BYTES,
          MAX_FRAME_BYTES + 1,
          MAX_FRAME_BYTES + 2,
        ),
        weight: 4,
      },
      { arbitrary: fc.integer({ min: MAX_FRAME_BYTES + 1, max: 4 * MAX_FRAME_BYTES }), weight: 2 },
      { arbitrary: fc.constant(1024 * 1024), weight: 1 },
    ),
    fill: fc.constantFrom('x', 'é', '😀'),
    form: fc.constantFrom('json-string', 'garbage-line', 'no-newline'),
  })
  .map(({ bytes, fill, form }) => {
    if (form === 'no-newline') return Buffer.alloc(bytes, 0x61);
    const frame = form === 'json-string' ? '{"v":1,"type":"heartbeat","pad":"' : '';
    const tail = form === 'json-string' ? '"}' : '';
    const room = bytes - Buffer.byteLength(frame) - Buffer.byteLength(tail);
    const unit = Buffer.byteLength(fill);
    const pad = fill.repeat(Math.floor(room / unit)) + 'x'.repeat(room % unit);
    return Buffer.from(`${frame}${pad}${tail}\n`);
  });

const BAD_UTF8 = [
  [0xff],
  [0xfe, 0xff],
  [0xc3, 0x28],
  [0xc0, 0xaf],
  [0xe0, 0x80, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0xe2, 0x82],
  [0xf0, 0x9f, 0x98],
  [0x80],
];

/** Random bytes, bytes that are not UTF-8 inside an otherwise fine message, NULs. */
export const binary: fc.Arbitrary<Buffer> = fc.oneof(
  fc
    .tuple(fc.uint8Array({ minLength: 1, maxLength: 2048 }), fc.boolean())
    .map(([bytes, newline]) => Buffer.concat([Buffer.from(bytes), Buffer.from(newline ? '\n' : '')])),
  fc
    .tuple(fc.constantFrom(...BAD_UTF8), fc.constantFrom('type', 'version', 'id', 'op'))
    .map(([bad, key]) =>
      Buffer.concat([Buffer.from(`{"v":1,"type":"hello","${key}":"`), Buffer.from(bad), Buffer.from('"}\n')]),
    ),
  fc.constantFrom(
    Buffer.from('\u0000\n'),
    Buffer.from('{"v":1,"type":"hello"}\u0000\n'),
    Buffer.from('{"v":1,"type":"hel\u0000lo"}\n'),
    Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x0a]),
  ),
);

/** Lines the decoder must skip: empty, blank, a lone carriage return. */
export const blankLine = fc.constantFrom('\n', '\r\n', '   \n', '\t \t\n', '\r\r\n');

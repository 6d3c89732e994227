/**
 * Mutations of well-formed messages: the right `type`, the wrong body. Each mutation is data
 * (drawn by fast-check, so it shrinks and replays from a seed) applied to a copy of the message:
 * drop a field, change its type, add a key, blow a string up, bend `v`, `type`, `op` or `cmd`.
 */
import fc from 'fast-check';
import type { JsonObject } from './valid-messages.ts';

/** Values of every JSON type, with the edges validators trip on. */
export const weirdValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, 0, -1, 1.5, -0.5, '', ' ', '0', '1', 'null', 'NaN', 'Infinity', [], {}),
  fc.constantFrom([null], { '': null }, [[[]]], { v: 1 }, ['soft'], 'hello', 'request', 'status'),
  fc.integer(),
  fc.double(),
  fc.string({ maxLength: 40 }),
  fc.string({ maxLength: 20, unit: 'grapheme' }),
  fc.string({ maxLength: 20, unit: 'binary' }),
  fc.jsonValue({ maxDepth: 3 }),
  fc.array(fc.string({ maxLength: 8 }), { minLength: 60, maxLength: 80 }),
);

/** Keys that are dangerous in JavaScript or near the real ones. */
export const oddKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'),
  fc.constantFrom('', ' ', 'V', 'Type', 'pid ', 'tpye', 'ops', 'ID', 'seq\u0000', '\u2028', 'v\ud800'),
  fc.string({ maxLength: 24 }),
  fc.string({ maxLength: 12, unit: 'grapheme' }),
);

const TYPES = ['hello', 'heartbeat', 'result', 'request', 'command', 'welcome', 'response', 'HELLO', ''];
const OPS = ['status', 'history', 'recover', 'restore', 'pause', 'resume', 'fault', 'Status', 'stop', ''];

export type Mutation =
  | { kind: 'drop'; pick: number }
  | { kind: 'retype'; pick: number; value: unknown }
  | { kind: 'add'; pick: number; key: string; value: unknown }
  | { kind: 'huge-string'; pick: number; length: number; char: string }
  | { kind: 'version'; value: unknown }
  | { kind: 'rename'; field: 'type' | 'op' | 'cmd'; value: string }
  | { kind: 'wrap'; pick: number; how: 'array' | 'object' | 'string' };

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { arbitrary: fc.record({ kind: fc.constant('drop' as const), pick: fc.nat() }), weight: 3 },
  {
    arbitrary: fc.record({ kind: fc.constant('retype' as const), pick: fc.nat(), value: weirdValue }),
    weight: 5,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('add' as const),
      pick: fc.nat(),
      key: oddKey,
      value: weirdValue,
    }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('huge-string' as const),
      pick: fc.nat(),
      // Mostly just past the schemas' maxLength; now and then past the 64 KiB line limit.
      length: fc.oneof(
        { arbitrary: fc.integer({ min: 65, max: 600 }), weight: 6 },
        { arbitrary: fc.integer({ min: 4096, max: 16_000 }), weight: 2 },
        { arbitrary: fc.integer({ min: 16_000, max: 70_000 }), weight: 1 },
      ),
      char: fc.constantFrom('x', 'é', '😀', '\u0000', '"', '\\', '\n'),
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('version' as const),
      value: fc.oneof(fc.constantFrom(0, 2, -1, '1', 1.5, null, true, [1], {}, 1e308), weirdValue),
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('rename' as const),
      field: fc.constantFrom('type' as const, 'op' as const, 'cmd' as const),
      value: fc.oneof(fc.constantFrom(...TYPES, ...OPS), fc.string({ maxLength: 12 })),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('wrap' as const),
      pick: fc.nat(),
      how: fc.constantFrom('array' as const, 'object' as const, 'string' as const),
    }),
    weight: 1,
  },
);

export type Path = (string | number)[];

/** Every path to a value, depth first, up to `maxDepth` levels down. */
export function paths(value: unknown, maxDepth = 3, prefix: Path = []): Path[] {
  if (prefix.length >= maxDepth || value === null || typeof value !== 'object') return [];
  const out: Path[] = [];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  for (const [key, child] of entries) {
    const path = [...prefix, key];
    out.push(path, ...paths(child, maxDepth, path));
  }
  return out;
}

/** Containers (the root, nested objects and arrays) a key can be added to. */
function containers(value: unknown): Path[] {
  return [[], ...paths(value).filter((p) => isContainer(get(value, p)))];
}

function isContainer(value: unknown): value is Record<string | number, unknown> {
  return value !== null && typeof value === 'object';
}

function get(root: unknown, path: Path): unknown {
  let at = root;
  for (const key of path) at = isContainer(at) ? at[key] : undefined;
  return at;
}

export function set(root: JsonObject, path: Path, value: unknown): void {
  const parent = get(root, path.slice(0, -1));
  const key = path.at(-1);
  if (isContainer(parent) && key !== undefined) parent[key] = value;
}

function remove(root: JsonObject, path: Path): void {
  const parent = get(root, path.slice(0, -1));
  const key = path.at(-1);
  if (Array.isArray(parent) && typeof key === 'number') parent.splice(key, 1);
  else if (isContainer(parent) && key !== undefined) delete parent[key];
}

export function applyMutation(message: JsonObject, m: Mutation): JsonObject {
  const out = structuredClone(message);
  const all = paths(out);
  const at = (pick: number) => all[pick % Math.max(1, all.length)];
  switch (m.kind) {
    case 'drop': {
      const path = at(m.pick);
      if (path) remove(out, path);
      break;
    }
    case 'retype': {
      const path = at(m.pick);
      if (path) set(out, path, structuredClone(m.value));
      break;
    }
    case 'add': {
      const places = containers(out);
      const place = places[m.pick % places.length] ?? [];
      const target = get(out, place);
      // defineProperty, so that "__proto__" becomes an own key as JSON.parse would make it.
      if (isContainer(target) && !Array.isArray(target)) {
        Object.defineProperty(target, m.key, {
          value: structuredClone(m.value),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      } else if (Array.isArray(target)) target.push(structuredClone(m.value));
      break;
    }
    case 'huge-string': {
      const path = at(m.pick);
      if (path) set(out, path, m.char.repeat(m.length));
      break;
    }
    case 'version':
      out.v = structuredClone(m.value);
      break;
    case 'rename':
      out[m.field] = m.value;
      break;
    case 'wrap': {
      const path = at(m.pick);
      if (!path) break;
      const value = get(out, path);
      set(out, path, m.how === 'array' ? [value] : m.how === 'object' ? { value } : JSON.stringify(value));
      break;
    }
  }
  return out;
}

/** A message with one to four mutations applied. */
export function mutated(base: fc.Arbitrary<JsonObject>): fc.Arbitrary<JsonObject> {
  return fc
    .tuple(base, fc.array(mutation, { minLength: 1, maxLength: 4 }))
    .map(([message, mutations]) => mutations.reduce(applyMutation, message));
}

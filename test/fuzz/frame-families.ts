/**
 * The kinds of frame the fuzz sends, by name (so a report can count them and a run can skip
 * one), and the connection plans built from them. A plan is what one connection carries: a
 * target socket, a way of writing (all at once, frame by frame, split at random, one byte at a
 * time, or half of it and then close), and its frames.
 */
import fc from 'fast-check';
import { mutated } from './mutate-message.ts';
import {
  binary,
  blankLine,
  deepNesting,
  hugeNumbers,
  invalidJson,
  lineEnding,
  oversize,
} from './raw-frames.ts';
import {
  agentMessage,
  controlRequest,
  heartbeatMessage,
  helloMessage,
  type JsonObject,
  readOnlyRequest,
  resultMessage,
} from './valid-messages.ts';

export type Target = 'agent' | 'control';

export const FAMILIES = [
  'mutated-hello',
  'mutated-heartbeat',
  'mutated-result',
  'mutated-request',
  'wrong-types',
  'huge-numbers',
  'unicode',
  'blank',
  'read-only-request',
  'foreign-hello',
  'invalid-json',
  'deep-nesting',
  'oversize',
  'binary',
] as const;
export type Family = (typeof FAMILIES)[number];

export interface Frame {
  family: Family;
  bytes: Buffer;
}

export const DELIVERIES = ['batch', 'sequential', 'split', 'bytewise', 'half-then-close'] as const;
export type Delivery = (typeof DELIVERIES)[number];

export interface Plan {
  target: Target;
  delivery: Delivery;
  frames: Frame[];
  /** Where a `split` delivery cuts the stream, as fractions of its length. */
  cuts: number[];
  /** How long to keep a connection the server did not close open before closing it. */
  lingerMs: number;
}

const line = (text: fc.Arbitrary<string>) =>
  fc.tuple(text, lineEnding).map(([t, end]) => Buffer.from(`${t}${end}`));
const json = (message: fc.Arbitrary<JsonObject>) => line(message.map((m) => JSON.stringify(m)));

const unicodeMessage = fc
  .tuple(
    agentMessage,
    fc.constantFrom('name', 'version', 'summary', 'id', 'extra'),
    fc.constantFrom('😀', '\u2028\u2029', '\ufeff', 'e\u0301', '\ud83d', '\u0000', '\u202e', 'ǅ', '𝕍'),
  )
  .map(([m, key, text]) => ({ ...m, [key]: text.repeat(3) }));

const wrongTypes = fc.jsonValue({ maxDepth: 4 }).filter((v) => JSON.stringify(v) !== undefined);

function frameArbitrary(family: Family, target: Target): fc.Arbitrary<Buffer> {
  const own = target === 'agent' ? agentMessage : controlRequest;
  switch (family) {
    case 'mutated-hello':
      return json(mutated(helloMessage));
    case 'mutated-heartbeat':
      return json(mutated(heartbeatMessage));
    case 'mutated-result':
      return json(mutated(resultMessage));
    case 'mutated-request':
      return json(mutated(controlRequest));
    case 'wrong-types':
      return line(wrongTypes.map((v) => JSON.stringify(v)));
    case 'huge-numbers':
      return line(hugeNumbers(own));
    case 'unicode':
      return json(unicodeMessage);
    case 'blank':
      return blankLine.map((t) => Buffer.from(t));
    case 'read-only-request':
      return json(readOnlyRequest);
    case 'foreign-hello':
      return json(helloMessage);
    case 'invalid-json':
      return line(invalidJson(own));
    case 'deep-nesting':
      return line(deepNesting(own));
    case 'oversize':
      return oversize;
    case 'binary':
      return binary;
  }
}

/** Weights per target: [family, weight] for frames in the body of a connection. */
const BODY: Record<Target, [Family, number][]> = {
  agent: [
    ['mutated-hello', 4],
    ['mutated-heartbeat', 4],
    ['mutated-result', 3],
    ['mutated-request', 1],
    ['wrong-types', 3],
    ['huge-numbers', 3],
    ['unicode', 2],
    ['blank', 1],
  ],
  control: [
    ['mutated-request', 8],
    ['read-only-request', 1],
    ['mutated-hello', 1],
    ['mutated-heartbeat', 1],
    ['wrong-types', 3],
    ['huge-numbers', 3],
    ['unicode', 2],
    ['blank', 1],
  ],
};

/** Frames that usually end a connection (the server drops it), sent last when they are sent. */
const TAIL: Record<Target, [Family, number][]> = {
  agent: [
    ['invalid-json', 4],
    ['foreign-hello', 3],
    ['binary', 3],
    ['deep-nesting', 2],
    ['oversize', 2],
  ],
  control: [
    ['invalid-json', 4],
    ['binary', 3],
    ['deep-nesting', 2],
    ['oversize', 2],
  ],
};

function weighted(table: [Family, number][], target: Target, skip: ReadonlySet<string>) {
  const usable = table.filter(([family]) => !skip.has(family));
  if (usable.length === 0) return undefined;
  return fc.oneof(
    ...usable.map(([family, weight]) => ({
      arbitrary: frameArbitrary(family, target).map((bytes): Frame => ({ family, bytes })),
      weight,
    })),
  );
}

/** One connection's plan for `target`, families in `skip` left out. */
export function planArbitrary(target: Target, skip: ReadonlySet<string> = new Set()): fc.Arbitrary<Plan> {
  const body = weighted(BODY[target], target, skip);
  const tail = weighted(TAIL[target], target, skip);
  return fc.record({
    target: fc.constant(target),
    delivery: fc.constantFrom<Delivery>(
      'batch',
      'batch',
      'sequential',
      'sequential',
      'split',
      'bytewise',
      'half-then-close',
    ),
    frames: fc
      .tuple(
        body ? fc.array(body, { maxLength: target === 'agent' ? 24 : 14 }) : fc.constant<Frame[]>([]),
        tail ? fc.option(tail, { freq: 2, nil: undefined }) : fc.constant(undefined),
      )
      .map(([frames, last]): Frame[] => (last ? [...frames, last] : frames))
      .filter((frames) => frames.length > 0),
    cuts: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 6 }),
    lingerMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 60 })),
  });
}

/** Single frames of one family, for the properties checked with fc.assert. */
export function familyArbitrary(family: Family, target: Target): fc.Arbitrary<Frame> {
  return frameArbitrary(family, target).map((bytes) => ({ family, bytes }));
}

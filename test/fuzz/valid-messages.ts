/**
 * Arbitraries for messages that pass the protocol schemas (packages/shared/src/protocol): the
 * starting points that mutations bend, and the well-formed half of the fuzz. Control requests
 * of every op are generated; the campaign never sends one that would act on the pair.
 */

import { PROTOCOL_VERSION } from '@vigil/shared';
import { FaultName } from '@vigil/shared/schemas';
import fc from 'fast-check';

export type JsonObject = Record<string, unknown>;

const id = fc.string({ minLength: 1, maxLength: 64, unit: 'grapheme-ascii' });
const count = fc.nat({ max: 2 ** 31 });
const millis = fc.double({ min: 0, max: 1e7, noNaN: true });
const shortText = fc.string({ maxLength: 80 });

/** A hello with any pid; the campaign drops those that would name the real agent. */
export const helloMessage: fc.Arbitrary<JsonObject> = fc.record(
  {
    v: fc.constant(PROTOCOL_VERSION),
    type: fc.constant('hello'),
    pid: fc.oneof(fc.integer({ min: 1, max: 4_194_304 }), fc.constantFrom(1, 2, 99_999, 2 ** 31 - 1)),
    version: fc.string({ minLength: 1, maxLength: 64 }),
    startTime: fc.nat(),
    name: fc.string({ maxLength: 128 }),
    node: fc.constantFrom('v20.20.2', 'v22.0.0', ''),
    stallFile: fc.constantFrom('/tmp/stall.json', '/nonexistent/stall', '../../etc/passwd'),
  },
  { requiredKeys: ['v', 'type', 'pid', 'version', 'startTime'] },
);

const health = fc.record(
  {
    status: fc.constantFrom('ok', 'warn', 'failing', 'degraded'),
    summary: shortText,
    checks: fc.record(
      { total: count, ok: count, warn: count, critical: count, paused: count },
      { requiredKeys: ['total', 'ok', 'warn', 'critical'] },
    ),
    failing: fc.array(fc.string({ maxLength: 32 }), { maxLength: 4 }),
  },
  { requiredKeys: ['status'] },
);

export const heartbeatMessage: fc.Arbitrary<JsonObject> = fc.record(
  {
    v: fc.constant(PROTOCOL_VERSION),
    type: fc.constant('heartbeat'),
    seq: count,
    mono: millis,
    lagMs: millis,
    heapUsedBytes: count,
    rssBytes: count,
    progress: count,
    health,
    state: fc.constantFrom('starting', 'ready', 'degraded', 'stopping'),
  },
  { requiredKeys: ['v', 'type', 'seq', 'mono', 'lagMs', 'heapUsedBytes', 'rssBytes', 'progress', 'health'] },
);

export const resultMessage: fc.Arbitrary<JsonObject> = fc.record(
  {
    v: fc.constant(PROTOCOL_VERSION),
    type: fc.constant('result'),
    id,
    ok: fc.boolean(),
    did: fc.array(shortText, { maxLength: 4 }),
    durationMs: millis,
    error: shortText,
  },
  { requiredKeys: ['v', 'type', 'id', 'ok', 'did', 'durationMs'] },
);

const faultSpec = fc.record(
  {
    // Every fault the schema knows, read from it so a new fault is fuzzed too.
    name: fc.constantFrom(...FaultName.anyOf.map((literal) => literal.const)),
    seconds: fc.double({ min: 0.001, max: 86_400, noNaN: true }),
    mbPerSec: fc.double({ min: 0.001, max: 4096, noNaN: true }),
    exitCode: fc.integer({ min: 0, max: 255 }),
    intervalMs: fc.integer({ min: 1, max: 600_000 }),
  },
  { requiredKeys: ['name'] },
);

const request = (op: string, extra: Record<string, fc.Arbitrary<unknown>> = {}, required: string[] = []) =>
  fc.record<Record<string, unknown>>(
    { v: fc.constant(PROTOCOL_VERSION), type: fc.constant('request'), id, op: fc.constant(op), ...extra },
    { requiredKeys: ['v', 'type', 'id', 'op', ...required] },
  );

/** Requests of every op, read-only and acting alike (the oracle tells them apart). */
export const controlRequest: fc.Arbitrary<JsonObject> = fc.oneof(
  { arbitrary: request('status'), weight: 3 },
  { arbitrary: request('history', { n: fc.integer({ min: 1, max: 10_000 }) }), weight: 3 },
  {
    arbitrary: request('recover', { level: fc.constantFrom('soft', 'medium', 'hard') }, ['level']),
    weight: 1,
  },
  { arbitrary: request('restore'), weight: 1 },
  { arbitrary: request('pause', { forMs: fc.integer({ min: 1, max: 7 * 24 * 3600 * 1000 }) }), weight: 1 },
  { arbitrary: request('resume'), weight: 1 },
  { arbitrary: request('fault', { fault: faultSpec }, ['fault']), weight: 1 },
);

/** A valid status or history request: the only well-formed requests the campaign may send. */
export const readOnlyRequest: fc.Arbitrary<JsonObject> = fc.oneof(
  request('status'),
  request('history', { n: fc.integer({ min: 1, max: 200 }) }),
);

export const agentMessage: fc.Arbitrary<JsonObject> = fc.oneof(
  { arbitrary: helloMessage, weight: 3 },
  { arbitrary: heartbeatMessage, weight: 3 },
  { arbitrary: resultMessage, weight: 2 },
);

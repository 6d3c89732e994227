/**
 * Connect/disconnect cycles: connections that say little or nothing. Close at once, half-close,
 * give up while still connecting, write part of a line and go, hold the connection a while, or
 * hold it until the server gives up on it (the agent socket's hello timeout; the control
 * socket's idle timeout, only in long runs since it is 30 s).
 */
import { createConnection } from 'node:net';
import fc from 'fast-check';
import type { Target } from './frame-families.ts';
import { RawConnection } from './raw-connection.ts';
import { helloMessage, readOnlyRequest } from './valid-messages.ts';

export const CYCLE_KINDS = [
  'close-at-once',
  'end-at-once',
  'abort-connecting',
  'partial-then-close',
  'hold',
  'hold-until-dropped',
] as const;
export type CycleKind = (typeof CYCLE_KINDS)[number];

export interface Cycle {
  target: Target;
  kind: CycleKind;
  /** For partial writes: the bytes of a line cut short (no newline). */
  partial: Buffer;
  holdMs: number;
  destroy: boolean;
}

/** How long the watchdog may take to drop a silent connection: its timeout plus slack. */
export const DROP_DEADLINE_MS: Record<Target, number> = { agent: 5000 + 5000, control: 30_000 + 10_000 };

export function cycleArbitrary(target: Target, longHolds: boolean): fc.Arbitrary<Cycle> {
  const kinds: { arbitrary: fc.Arbitrary<CycleKind>; weight: number }[] = [
    { arbitrary: fc.constant('close-at-once'), weight: 25 },
    { arbitrary: fc.constant('end-at-once'), weight: 10 },
    { arbitrary: fc.constant('abort-connecting'), weight: 10 },
    { arbitrary: fc.constant('partial-then-close'), weight: 25 },
    { arbitrary: fc.constant('hold'), weight: 22 },
  ];
  if (target === 'agent') kinds.push({ arbitrary: fc.constant('hold-until-dropped'), weight: 8 });
  else if (longHolds) kinds.push({ arbitrary: fc.constant('hold-until-dropped'), weight: 1 });
  const message = target === 'agent' ? helloMessage : readOnlyRequest;
  return fc.record({
    target: fc.constant(target),
    kind: fc.oneof(...kinds),
    partial: fc.tuple(message, fc.double({ min: 0, max: 0.99, noNaN: true })).map(([m, at]) => {
      const bytes = Buffer.from(JSON.stringify(m));
      return bytes.subarray(0, Math.floor(bytes.length * at));
    }),
    holdMs: fc.integer({ min: 10, max: 1500 }),
    destroy: fc.boolean(),
  });
}

/** Runs one cycle; returns a problem, if the server misbehaved (only hold-until-dropped can tell). */
export async function runCycle(cycle: Cycle, socketPath: string): Promise<string | undefined> {
  if (cycle.kind === 'abort-connecting') {
    const socket = createConnection(socketPath);
    socket.on('error', () => {});
    socket.destroy();
    return undefined;
  }
  const conn = await RawConnection.open(socketPath, 5000).catch((error: Error) => error);
  if (conn instanceof Error) return conn.message;
  const close = () => (cycle.destroy ? conn.destroy() : conn.end());
  try {
    switch (cycle.kind) {
      case 'close-at-once':
        conn.destroy();
        break;
      case 'end-at-once':
        conn.end();
        break;
      case 'partial-then-close':
        await conn.write(cycle.partial);
        close();
        break;
      case 'hold':
        if (cycle.partial.length && cycle.holdMs % 2 === 0) await conn.write(cycle.partial);
        await conn.waitForClose(cycle.holdMs);
        if (conn.closed)
          return `the ${cycle.target} socket dropped a connection held for only ${cycle.holdMs} ms`;
        close();
        break;
      case 'hold-until-dropped': {
        if (cycle.partial.length && cycle.holdMs % 2 === 0) await conn.write(cycle.partial);
        const started = performance.now();
        if (!(await conn.waitForClose(DROP_DEADLINE_MS[cycle.target]))) {
          return `the ${cycle.target} socket kept a silent connection open for ${DROP_DEADLINE_MS[cycle.target]} ms`;
        }
        if (conn.received.length) return `the ${cycle.target} socket spoke to a silent connection`;
        return performance.now() - started < 1000
          ? `the ${cycle.target} socket dropped a silent connection after only ${Math.round(performance.now() - started)} ms`
          : undefined;
      }
    }
    return undefined;
  } finally {
    conn.destroy();
  }
}

/**
 * What the watchdog should do with a connection's byte stream, worked out before it is sent:
 * the same framing rules (64 KiB lines, UTF-8, one JSON value per line) and the same schema
 * validators the watchdog uses, as an oracle. It says how far the connection gets (the frame
 * whose line makes the server drop it is the last one worth sending), which responses the
 * control socket owes, and whether a line would act on the pair (a valid hello naming the real
 * agent, a valid recover/pause/fault request): such a plan is never sent.
 */
import {
  type ControlOp,
  MAX_FRAME_BYTES,
  parseAgentMessage,
  parseControlRequest,
  READ_ONLY_OPS,
} from '@vigil/shared';
import { DEFAULT_CONTROL_LIMITS } from '../../packages/watchdog/src/control/control-server.ts';
import type { Frame, Target } from './frame-families.ts';

/** The heartbeat server drops a connection after this many invalid messages. */
export const MAX_INVALID_MESSAGES = 20;
/** The control server drops a connection with more requests than this in flight. */
export const MAX_IN_FLIGHT = DEFAULT_CONTROL_LIMITS.maxInFlight;

export interface OwedResponse {
  id: string;
  ok: boolean;
}

export interface Simulation {
  /** How many of the plan's frames to send: through the one that ends the connection. */
  send: number;
  /** open: the server keeps the connection; dropped: it destroys it; refused: a hello refused. */
  end: 'open' | 'dropped' | 'refused';
  reason: string;
  /** Control only: responses owed, in any order (status waits on I/O, errors do not). */
  owed: OwedResponse[];
  /** Control only: more JSON lines than MAX_IN_FLIGHT, so the server may drop the connection. */
  mayDrop: boolean;
  /** Set when a line would act on the pair: the plan must not be sent. */
  forbidden: string | undefined;
  /** Set when the shared parser threw on a line: the watchdog will meet the same throw. */
  parserThrew: string | undefined;
}

export interface OracleContext {
  /** The real agent or one of its processes: a valid hello with this pid would take the session. */
  isAgentPid(pid: number): boolean;
}

const NEWLINE = 0x0a;
const utf8 = new TextDecoder('utf-8', { fatal: true });

function responseId(value: unknown): string {
  const id = typeof value === 'object' && value !== null ? (value as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id.slice(0, 64) || 'unknown' : 'unknown';
}

type LineOutcome =
  | { kind: 'skip' }
  | { kind: 'end'; end: 'dropped' | 'refused'; reason: string }
  | { kind: 'forbidden'; reason: string };

export function simulate(target: Target, frames: readonly Frame[], context: OracleContext): Simulation {
  const result: Simulation = {
    send: frames.length,
    end: 'open',
    reason: '',
    owed: [],
    mayDrop: false,
    forbidden: undefined,
    parserThrew: undefined,
  };
  let invalid = 0;
  let jsonLines = 0;

  const onLine = (bytes: Buffer): LineOutcome => {
    const body = bytes.at(-1) === 0x0d ? bytes.subarray(0, -1) : bytes;
    if (body.length === 0) return { kind: 'skip' };
    let text: string;
    try {
      text = utf8.decode(body);
    } catch {
      return { kind: 'end', end: 'dropped', reason: 'bad-utf8' };
    }
    if (text.trim() === '') return { kind: 'skip' };
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return { kind: 'end', end: 'dropped', reason: 'not-json' };
    }
    // The validator may fill defaults in place: it gets its own copy, parsed again rather than
    // cloned (structuredClone recurses, and would throw on 10,000 levels where the server won't).
    const copy = JSON.parse(text) as unknown;
    try {
      if (target === 'agent') {
        const parsed = parseAgentMessage(copy);
        if (!parsed.ok) {
          return ++invalid > MAX_INVALID_MESSAGES
            ? { kind: 'end', end: 'dropped', reason: 'too-many-invalid' }
            : { kind: 'skip' };
        }
        if (parsed.value.type !== 'hello')
          return { kind: 'end', end: 'dropped', reason: `${parsed.value.type}-before-hello` };
        if (context.isAgentPid(parsed.value.pid))
          return { kind: 'forbidden', reason: `hello with the agent's pid ${parsed.value.pid}` };
        return { kind: 'end', end: 'refused', reason: 'foreign-hello' };
      }
      jsonLines++;
      const parsed = parseControlRequest(copy);
      if (parsed.ok && !READ_ONLY_OPS.includes(parsed.value.op as ControlOp))
        return { kind: 'forbidden', reason: `a valid "${parsed.value.op}" request` };
      result.owed.push(parsed.ok ? { id: parsed.value.id, ok: true } : { id: responseId(value), ok: false });
      return { kind: 'skip' };
    } catch (error) {
      result.parserThrew ??= `${(error as Error).name}: ${(error as Error).message}`;
      return { kind: 'end', end: 'dropped', reason: 'parser-threw' };
    }
  };

  let pending = Buffer.alloc(0);
  for (let i = 0; i < frames.length; i++) {
    let chunk = (frames[i] as Frame).bytes;
    for (;;) {
      const nl = chunk.indexOf(NEWLINE);
      if (nl === -1) break;
      const lineBytes = pending.length + nl;
      let outcome: LineOutcome;
      if (lineBytes > MAX_FRAME_BYTES) outcome = { kind: 'end', end: 'dropped', reason: 'too-large' };
      else outcome = onLine(Buffer.concat([pending, chunk.subarray(0, nl)]));
      pending = Buffer.alloc(0);
      chunk = chunk.subarray(nl + 1);
      if (outcome.kind === 'forbidden') {
        result.forbidden = outcome.reason;
        return result;
      }
      if (outcome.kind === 'end') {
        result.send = i + 1;
        result.end = outcome.end;
        result.reason = outcome.reason;
        result.mayDrop = jsonLines > MAX_IN_FLIGHT;
        return result;
      }
    }
    if (pending.length + chunk.length > MAX_FRAME_BYTES) {
      result.send = i + 1;
      result.end = 'dropped';
      result.reason = 'too-large';
      result.mayDrop = jsonLines > MAX_IN_FLIGHT;
      return result;
    }
    pending = Buffer.concat([pending, chunk]);
  }
  result.mayDrop = jsonLines > MAX_IN_FLIGHT;
  return result;
}

/**
 * Sends one connection plan and checks the server's reaction against the oracle: a connection
 * that broke a framing rule is closed, a refused hello gets `welcome accepted: false` and is
 * closed, every control request gets exactly one well-formed response, and nothing else is
 * ever said or closed.
 */
import { parseControlResponse } from '@vigil/shared';
import type { Plan } from './frame-families.ts';
import type { OwedResponse, Simulation } from './frame-oracle.ts';
import { RawConnection } from './raw-connection.ts';

export interface SendOutcome {
  /** Frames whose bytes were all written (or that the server cut off as it should). */
  framesWritten: number;
  /** Last write to the server's reaction (close or the last response owed), ms. */
  reactionMs: number;
  problem: string | undefined;
}

export interface SendOptions {
  socketPath: string;
  /** The longest the server may take to react (close, answer) before it counts as a problem. */
  reactMs: number;
}

const BYTEWISE_MAX = 2048;

function pieces(plan: Plan, frames: Buffer[]): Buffer[] {
  const stream = Buffer.concat(frames);
  switch (plan.delivery) {
    case 'batch':
      return [stream];
    case 'sequential':
      return frames;
    case 'split': {
      const cuts = [...new Set(plan.cuts.map((c) => Math.floor(c * stream.length)))]
        .filter((c) => c > 0 && c < stream.length)
        .sort((a, b) => a - b);
      const out: Buffer[] = [];
      let from = 0;
      for (const cut of [...cuts, stream.length]) {
        out.push(stream.subarray(from, cut));
        from = cut;
      }
      return out;
    }
    case 'bytewise': {
      const head = Math.min(stream.length, BYTEWISE_MAX);
      const out: Buffer[] = [];
      for (let i = 0; i < head; i++) out.push(stream.subarray(i, i + 1));
      if (head < stream.length) out.push(stream.subarray(head));
      return out;
    }
    case 'half-then-close': {
      const last = frames.at(-1) ?? Buffer.alloc(0);
      const before = stream.subarray(0, stream.length - last.length);
      return [before, last.subarray(0, Math.max(1, Math.floor(last.length / 2)))].filter((b) => b.length);
    }
  }
}

function checkResponses(lines: string[], owed: OwedResponse[]): string | undefined {
  const open = [...owed];
  for (const line of lines) {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return `the control socket sent a line that is not JSON: ${line.slice(0, 120)}`;
    }
    const parsed = parseControlResponse(value);
    if (!parsed.ok) return `malformed control response (${parsed.errors.join('; ')}): ${line.slice(0, 200)}`;
    const response = parsed.value;
    const i = open.findIndex((o) => o.id === response.id && o.ok === response.ok);
    if (i === -1) {
      return `unexpected control response ok=${response.ok} id=${JSON.stringify(response.id)}; owed ${JSON.stringify(open).slice(0, 300)}`;
    }
    open.splice(i, 1);
    if (!response.ok && response.error.code !== 'VIGIL_MESSAGE_INVALID') {
      return `an invalid request was answered with ${response.error.code}: ${response.error.message.slice(0, 200)}`;
    }
  }
  return undefined;
}

function checkAgentOutput(lines: string[], refused: boolean): string | undefined {
  if (!refused)
    return lines.length ? `the agent socket spoke unasked: ${lines[0]?.slice(0, 200)}` : undefined;
  if (lines.length !== 1) return `a refused hello got ${lines.length} lines back`;
  const welcome = JSON.parse(lines[0] as string) as { type?: string; accepted?: boolean; reason?: string };
  if (welcome.type !== 'welcome' || welcome.accepted !== false || !welcome.reason) {
    return `a foreign hello was not refused: ${lines[0]?.slice(0, 200)}`;
  }
  return undefined;
}

export async function sendPlan(plan: Plan, sim: Simulation, options: SendOptions): Promise<SendOutcome> {
  const frames = plan.frames.slice(0, sim.send).map((f) => f.bytes);
  const ends: number[] = [];
  let total = 0;
  for (const frame of frames) {
    total += frame.length;
    ends.push(total);
  }
  const outcome: SendOutcome = { framesWritten: 0, reactionMs: 0, problem: undefined };
  let conn: RawConnection;
  try {
    conn = await RawConnection.open(options.socketPath, options.reactMs);
  } catch (error) {
    outcome.problem = (error as Error).message;
    return outcome;
  }
  try {
    let written = 0;
    let cutOff = false;
    for (const piece of pieces(plan, frames)) {
      if (!(await conn.write(piece))) {
        cutOff = true;
        break;
      }
      written += piece.length;
    }
    const half = plan.delivery === 'half-then-close';
    outcome.framesWritten = ends.filter((end) => end <= written).length;
    // The frame that ends the connection counts even when the server cut it off mid-write.
    if (cutOff && sim.end !== 'open' && outcome.framesWritten === frames.length - 1) outcome.framesWritten++;
    if (half) {
      outcome.framesWritten = Math.min(frames.length, outcome.framesWritten + 1);
      if (plan.cuts.length % 2 === 0) conn.end();
      else conn.destroy();
      return outcome;
    }
    const lastWrite = performance.now();
    if (sim.parserThrew) {
      // The oracle's parser threw on the last line; whether the server's does too depends on
      // its stack depth. Either way the verdict is the monitor's: did the watchdog survive?
      await conn.waitForClose(1000);
    } else if (plan.target === 'agent') {
      if (sim.end === 'open') {
        if (plan.lingerMs) await conn.waitForClose(plan.lingerMs);
        if (conn.closed) outcome.problem = 'the agent socket dropped a connection that broke no rule';
      } else if (!(await conn.waitForClose(options.reactMs))) {
        outcome.problem = `the agent socket kept a connection open ${options.reactMs} ms after ${sim.reason}`;
      }
      outcome.problem ??= checkAgentOutput(conn.lines(), sim.end === 'refused');
    } else {
      if (sim.end === 'open') {
        await conn.waitUntil(() => conn.closed || conn.lines().length >= sim.owed.length, options.reactMs);
        const lines = conn.lines();
        if (conn.closed && !sim.mayDrop && lines.length < sim.owed.length) {
          outcome.problem = `the control socket dropped a connection that broke no rule (${lines.length}/${sim.owed.length} answered)`;
        } else if (!conn.closed && lines.length < sim.owed.length) {
          outcome.problem = `the control socket left ${sim.owed.length - lines.length} of ${sim.owed.length} requests unanswered for ${options.reactMs} ms`;
        }
      } else if (!(await conn.waitForClose(options.reactMs))) {
        outcome.problem = `the control socket kept a connection open ${options.reactMs} ms after ${sim.reason}`;
      }
      outcome.problem ??= checkResponses(conn.lines(), sim.owed);
    }
    if (!sim.parserThrew) outcome.reactionMs = (conn.closed ? conn.closedAt : performance.now()) - lastWrite;
    return outcome;
  } finally {
    conn.destroy();
  }
}

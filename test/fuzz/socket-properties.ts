/**
 * The fuzz's properties, checked with fc.assert one frame per connection: for any frame of any
 * family, the server reacts as the oracle says (closes, refuses, answers, or keeps quiet), and a
 * valid hello that claims any pid but the agent's is refused. A failure names the seed and path
 * fast-check needs to replay it, and shows the frame short enough to read.
 */
import fc from 'fast-check';
import { FAMILIES, type Family, type Frame, familyArbitrary, type Target } from './frame-families.ts';
import { type OracleContext, simulate } from './frame-oracle.ts';
import { sendPlan } from './send-plan.ts';

export interface PropertyOptions {
  socketPath: string;
  target: Target;
  families: readonly Family[];
  numRuns: number;
  seed: number;
  /** Stop (without failing) after this long, so a time-boxed run keeps its budget. */
  timeLimitMs: number;
  reactMs: number;
  context: OracleContext;
  onFrame(frame: Frame): void;
}

export function describeFrame(frame: Frame): string {
  const text = frame.bytes.subarray(0, 160).toString('utf8').replaceAll('\n', '\\n');
  return `${frame.family} frame of ${frame.bytes.length} bytes: ${JSON.stringify(text)}${frame.bytes.length > 160 ? '…' : ''}`;
}

const BODY_ONLY: ReadonlySet<Family> = new Set(['read-only-request']);

/** Families that make sense as a single frame on `target`. */
export function familiesFor(target: Target, skip: ReadonlySet<string>): Family[] {
  return FAMILIES.filter(
    (f) => !skip.has(f) && (target === 'control' ? f !== 'foreign-hello' : !BODY_ONLY.has(f)),
  );
}

/** Returns how many frames it sent; throws a readable error when the property fails. */
export async function assertReactions(options: PropertyOptions): Promise<number> {
  let sent = 0;
  // When the watchdog dies, the frame that failed is the one after the culprit: name both.
  let previous: Frame | undefined;
  let lastThrowing: { frame: Frame; error: string } | undefined;
  const arbitrary = fc.oneof(...options.families.map((family) => familyArbitrary(family, options.target)));
  await fc.assert(
    fc.asyncProperty(arbitrary, async (frame) => {
      const sim = simulate(options.target, [frame], options.context);
      fc.pre(sim.forbidden === undefined);
      if (sim.parserThrew) lastThrowing = { frame, error: sim.parserThrew };
      const outcome = await sendPlan(
        { target: options.target, delivery: 'batch', frames: [frame], cuts: [], lingerMs: 0 },
        sim,
        { socketPath: options.socketPath, reactMs: options.reactMs },
      );
      sent += outcome.framesWritten;
      options.onFrame(frame);
      const before = previous;
      previous = frame;
      if (outcome.problem) {
        const hints = [
          before ? `the frame before it: ${describeFrame(before)}` : '',
          lastThrowing
            ? `the last frame the watchdog's parser throws on (${lastThrowing.error}): ${describeFrame(lastThrowing.frame)}`
            : '',
        ].filter(Boolean);
        throw new Error([outcome.problem, ...hints].join('\n  '));
      }
    }),
    {
      numRuns: options.numRuns,
      seed: options.seed,
      endOnFailure: true,
      interruptAfterTimeLimit: options.timeLimitMs,
      markInterruptAsFailure: false,
      asyncReporter: async (details) => {
        if (!details.failed) return;
        const example = details.counterexample?.[0] as Frame | undefined;
        throw new Error(
          `${options.target} socket property failed after ${details.numRuns} runs ` +
            `(replay with seed ${details.seed}, path "${details.counterexamplePath}"): ` +
            `${(details.errorInstance as Error | undefined)?.message ?? 'no error'}\n  the frame: ${example ? describeFrame(example) : '?'}`,
        );
      },
    },
  );
  return sent;
}

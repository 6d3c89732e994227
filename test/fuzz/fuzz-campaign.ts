/**
 * The bulk of the fuzz: a bounded pool of workers that keep both sockets busy with generated
 * connection plans and connect/disconnect cycles until the frame and cycle counts are reached
 * or time is up. Plans come from fast-check in seeded batches, so a run is replayable per
 * target; each plan goes through the oracle first, and what the server does is checked.
 */
import fc from 'fast-check';
import {
  type Cycle,
  type CycleKind,
  cycleArbitrary,
  DROP_DEADLINE_MS,
  runCycle,
} from './connection-cycles.ts';
import { type Plan, planArbitrary, type Target } from './frame-families.ts';
import { type OracleContext, simulate } from './frame-oracle.ts';
import { sendPlan } from './send-plan.ts';

export interface CampaignOptions {
  sockets: Record<Target, string>;
  seed: number;
  concurrency: number;
  /** Stop once both counts are reached, or at the deadline, whichever is first. */
  frames: number;
  cycles: number;
  /** Interleaving: one cycle per this many frames, so both counts finish together. */
  framesPerCycle: number;
  durationMs: number;
  skip: ReadonlySet<string>;
  longHolds: boolean;
  reactMs: number;
  context: OracleContext;
  /** Checked between tasks: the monitor saw the watchdog or the session hurt. */
  shouldStop(): boolean;
}

export interface RecentPlan {
  at: string;
  target: Target;
  delivery: string;
  frames: { family: string; bytes: number; head: string }[];
  expected: string;
}

export interface CampaignStats {
  frames: number;
  connections: number;
  cycles: number;
  skippedPlans: number;
  elapsedMs: number;
  byFamily: Record<string, number>;
  byTarget: Record<Target, number>;
  byDelivery: Record<string, number>;
  byCycle: Record<string, number>;
  byEnd: Record<string, number>;
  maxReactionMs: number;
  /** Frames on which the watchdog's own parser throws (the oracle runs the same code). */
  parserThrew: { count: number; first: string | undefined; frames: string[] };
  problems: string[];
  recent: RecentPlan[];
}

const BATCH = 32;
const RECENT = 64;

/** Endless seeded samples of an arbitrary, a batch at a time. */
function stream<T>(arbitrary: fc.Arbitrary<T>, seed: number): () => T {
  let batch: T[] = [];
  let n = 0;
  return () => {
    if (batch.length === 0) batch = fc.sample(arbitrary, { numRuns: BATCH, seed: seed + n++ });
    return batch.pop() as T;
  };
}

function bump(table: Record<string, number>, key: string, by = 1): void {
  table[key] = (table[key] ?? 0) + by;
}

export async function runCampaign(options: CampaignOptions): Promise<CampaignStats> {
  const stats: CampaignStats = {
    frames: 0,
    connections: 0,
    cycles: 0,
    skippedPlans: 0,
    elapsedMs: 0,
    byFamily: {},
    byTarget: { agent: 0, control: 0 },
    byDelivery: {},
    byCycle: {},
    byEnd: {},
    maxReactionMs: 0,
    parserThrew: { count: 0, first: undefined, frames: [] },
    problems: [],
    recent: [],
  };
  const plans: Record<Target, () => Plan> = {
    agent: stream(planArbitrary('agent', options.skip), options.seed),
    control: stream(planArbitrary('control', options.skip), options.seed + 1_000_000),
  };
  const cycles: Record<Target, () => Cycle> = {
    agent: stream(cycleArbitrary('agent', options.longHolds), options.seed + 2_000_000),
    control: stream(cycleArbitrary('control', options.longHolds), options.seed + 3_000_000),
  };
  const started = performance.now();
  const ratio = options.framesPerCycle;
  let task = 0;
  let longHoldsRunning = 0;

  const finished = () =>
    options.shouldStop() ||
    stats.problems.length >= 10 ||
    performance.now() - started >= options.durationMs ||
    (stats.frames >= options.frames && stats.cycles >= options.cycles);

  const runPlan = async (target: Target) => {
    const plan = plans[target]();
    const sim = simulate(target, plan.frames, options.context);
    if (sim.forbidden) {
      stats.skippedPlans++;
      return;
    }
    const sent = plan.frames.slice(0, sim.send);
    if (sim.parserThrew) {
      stats.parserThrew.count++;
      stats.parserThrew.first ??= sim.parserThrew;
      const culprit = sent.at(-1);
      if (culprit && stats.parserThrew.frames.length < 3)
        stats.parserThrew.frames.push(culprit.bytes.toString('base64'));
    }
    stats.recent.push({
      at: new Date().toISOString(),
      target,
      delivery: plan.delivery,
      frames: sent.map((f) => ({
        family: f.family,
        bytes: f.bytes.length,
        head: f.bytes.subarray(0, 200).toString('utf8'),
      })),
      expected: `${sim.end}${sim.reason ? ` (${sim.reason})` : ''}`,
    });
    if (stats.recent.length > RECENT) stats.recent.shift();
    const outcome = await sendPlan(plan, sim, {
      socketPath: options.sockets[target],
      reactMs: options.reactMs,
    });
    stats.connections++;
    stats.frames += outcome.framesWritten;
    stats.byTarget[target] += outcome.framesWritten;
    bump(stats.byDelivery, plan.delivery);
    bump(stats.byEnd, sim.end === 'open' ? 'open' : `${sim.end}:${sim.reason}`);
    for (const frame of sent.slice(0, outcome.framesWritten)) bump(stats.byFamily, frame.family);
    stats.maxReactionMs = Math.max(stats.maxReactionMs, outcome.reactionMs);
    if (outcome.problem) stats.problems.push(`${target} ${plan.delivery}: ${outcome.problem}`);
  };

  const runOneCycle = async (target: Target) => {
    let cycle = cycles[target]();
    // Long holds tie a worker up for seconds: at most a quarter of the pool at once, and none
    // that would outlast the run's deadline.
    const left = options.durationMs - (performance.now() - started);
    while (
      cycle.kind === 'hold-until-dropped' &&
      (longHoldsRunning >= Math.ceil(options.concurrency / 4) || DROP_DEADLINE_MS[target] > left)
    ) {
      cycle = cycles[target]();
    }
    const long = cycle.kind === 'hold-until-dropped';
    if (long) longHoldsRunning++;
    try {
      const problem = await runCycle(cycle, options.sockets[target]);
      stats.cycles++;
      bump(stats.byCycle, `${target}:${cycle.kind satisfies CycleKind}`);
      if (problem) stats.problems.push(`cycle ${cycle.kind}: ${problem}`);
    } finally {
      if (long) longHoldsRunning--;
    }
  };

  const worker = async () => {
    while (!finished()) {
      const target: Target = task++ % 2 === 0 ? 'agent' : 'control';
      const framesLeft = stats.frames < options.frames;
      const cyclesLeft = stats.cycles < options.cycles;
      const cycleTurn = cyclesLeft && (!framesLeft || stats.cycles * ratio < stats.frames);
      if (cycleTurn) await runOneCycle(target);
      else await runPlan(target);
    }
  };

  await Promise.all(Array.from({ length: options.concurrency }, worker));
  stats.elapsedMs = Math.round(performance.now() - started);
  return stats;
}

/**
 * The crash-loop guard, kept apart from the ladder (as s6 keeps "give up after N deaths" apart
 * from the supervisor). The first restart is immediate: a single crash should cost no more than
 * a spawn. Restarts that follow before the agent has been stable back off exponentially with
 * jitter; more than `maxRestarts` within `withinMs` means the agent is failed.
 */

export interface RestartPolicyConfig {
  initialMs: number;
  maxMs: number;
  /** Each delay is shortened by up to this fraction at random, so restarts do not align. */
  jitter: number;
  maxRestarts: number;
  withinMs: number;
}

export type RestartDecision = { action: 'restart'; delayMs: number } | { action: 'fail'; restarts: number };

export class RestartPolicy {
  readonly #config: RestartPolicyConfig;
  readonly #random: () => number;
  /** Monotonic times of restarts inside the intensity window. */
  #restarts: number[] = [];
  /** Restarts since the agent was last stable. */
  #consecutive = 0;

  constructor(config: RestartPolicyConfig, random: () => number = Math.random) {
    this.#config = config;
    this.#random = random;
  }

  /** The delay before the next restart, or `fail` when the intensity is exceeded. */
  decide(now: number): RestartDecision {
    this.#prune(now);
    if (this.#restarts.length >= this.#config.maxRestarts) {
      return { action: 'fail', restarts: this.#restarts.length };
    }
    return { action: 'restart', delayMs: this.delayFor(this.#consecutive) };
  }

  /** The nominal delay for the nth consecutive restart, with jitter applied. */
  delayFor(consecutive: number): number {
    if (consecutive === 0) return 0;
    const nominal = Math.min(this.#config.maxMs, this.#config.initialMs * 2 ** (consecutive - 1));
    return Math.round(nominal * (1 - this.#config.jitter * this.#random()));
  }

  /** Called when a restart actually happens. */
  recordRestart(now: number): void {
    this.#prune(now);
    this.#restarts.push(now);
    this.#consecutive++;
  }

  /** The agent has been healthy for the stable period: the next failure restarts at once again. */
  markStable(): void {
    this.#consecutive = 0;
  }

  /** After a failed period ends (an operator restart or a successful probe), start afresh. */
  reset(): void {
    this.#consecutive = 0;
    this.#restarts = [];
  }

  restartsInWindow(now: number): number {
    this.#prune(now);
    return this.#restarts.length;
  }

  get consecutive(): number {
    return this.#consecutive;
  }

  #prune(now: number): void {
    const since = now - this.#config.withinMs;
    this.#restarts = this.#restarts.filter((t) => t > since);
  }
}

/**
 * How many restarts operators may ask for, kept apart from the crash-loop guard: an operator's
 * restart neither waits for the backoff nor counts toward the intensity, so a script calling
 * `vigil recover hard` in a loop must meet a limit of its own. Times are monotonic.
 */

export interface OperatorBudgetConfig {
  maxRestarts: number;
  withinMs: number;
}

export type BudgetCheck =
  | { ok: true }
  | { ok: false; used: number; withinMs: number; retryInMs: number; detail: string };

export class OperatorBudget {
  readonly #config: OperatorBudgetConfig;
  /** Monotonic times of the operator restarts inside the window, oldest first. */
  #spent: number[] = [];

  constructor(config: OperatorBudgetConfig) {
    this.#config = config;
  }

  check(now: number): BudgetCheck {
    this.#prune(now);
    const { maxRestarts, withinMs } = this.#config;
    if (this.#spent.length < maxRestarts) return { ok: true };
    const oldest = this.#spent[0] as number;
    const retryInMs = Math.max(0, oldest + withinMs - now);
    return {
      ok: false,
      used: this.#spent.length,
      withinMs,
      retryInMs,
      detail: `operator restart budget spent: ${this.#spent.length} in the last ${seconds(withinMs)} s; next allowed in ${seconds(retryInMs)} s`,
    };
  }

  spend(now: number): void {
    this.#prune(now);
    this.#spent.push(now);
  }

  #prune(now: number): void {
    const since = now - this.#config.withinMs;
    while (this.#spent.length && (this.#spent[0] as number) <= since) this.#spent.shift();
  }
}

/** Whole seconds, rounded up: "next allowed in 0 s" would be a lie. */
function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

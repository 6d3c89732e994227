/**
 * Checks whose every run a test scripts, for driving the registry with a FakeClock: each run
 * takes the next step of its check's script (the last step repeats), and the test can see how
 * many runs started, how many are going at once, and the signals they got.
 */

import type { Check, CheckOutcome, CheckStatus } from '../../../src/checks/check-result.ts';
import type { CheckConfig } from '../../../src/config/checks-schema.ts';

export type Step =
  | CheckStatus
  | { throws: string }
  /** Never settles, whatever the signal does. */
  | 'hang'
  /** Settles (ok) only when released; honours its signal. */
  | 'wait'
  /** Ignores its signal; settles only when released. */
  | 'hang-until-released';

export interface ScriptedRun {
  signal: AbortSignal;
  release(outcome?: CheckOutcome): void;
}

export class ScriptedChecks {
  readonly scripts = new Map<string, Step[]>();
  readonly runs: { name: string; run: ScriptedRun }[] = [];
  readonly disposed: string[] = [];
  readonly created: string[] = [];
  #active = new Map<string, number>();
  maxConcurrent = 0;

  script(name: string, ...steps: Step[]): void {
    this.scripts.set(name, steps);
  }

  runsOf(name: string): ScriptedRun[] {
    return this.runs.filter((r) => r.name === name).map((r) => r.run);
  }

  readonly create = (config: CheckConfig): Check => {
    this.created.push(config.name);
    return {
      config,
      run: (signal) => this.#run(config.name, signal),
      dispose: () => {
        this.disposed.push(config.name);
      },
    };
  };

  #next(name: string): Step {
    const steps = this.scripts.get(name) ?? ['ok'];
    return (steps.length > 1 ? steps.shift() : steps[0]) ?? 'ok';
  }

  #run(name: string, signal: AbortSignal): Promise<CheckOutcome> {
    const step = this.#next(name);
    const active = (this.#active.get(name) ?? 0) + 1;
    this.#active.set(name, active);
    this.maxConcurrent = Math.max(this.maxConcurrent, active);
    const done = () => this.#active.set(name, (this.#active.get(name) ?? 1) - 1);
    let release: (outcome?: CheckOutcome) => void = () => {};
    const promise = new Promise<CheckOutcome>((resolve, reject) => {
      if (typeof step === 'object') return reject(new Error(step.throws));
      if (step === 'hang') return;
      if (step === 'wait' || step === 'hang-until-released') {
        release = (outcome) => resolve(outcome ?? { status: 'ok', summary: 'released' });
        if (step === 'wait') signal.addEventListener('abort', () => reject(signal.reason), { once: true });
        return;
      }
      resolve({ status: step, summary: `scripted ${step}` });
    });
    this.runs.push({ name, run: { signal, release: (outcome) => release(outcome) } });
    return promise.finally(done);
  }
}

/** Lets every pending promise callback run (a run started by a timer finishes in microtasks). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Fault injection, refused unless enabled. Each fault lives in its own file; this keeps the
 * table of them and what is running, ends a fault when its `seconds` are up, and lets `clear`
 * (or the agent stopping) end them all. Starting a fault that is already running replaces it.
 */
import type { FaultName, FaultSpec } from '@vigil/shared';
import { sdkErrors } from '../errors.js';
import { startBloat } from './bloat-cache.js';
import { startCrash } from './crash.js';
import { startFailHealth } from './fail-health.js';
import type { FaultContext, FaultStart, RunningFault, StartFault } from './fault-types.js';
import { startHang } from './hang.js';
import { startLeak } from './leak-memory.js';
import { startSlowHeartbeat } from './slow-heartbeat.js';
import { startSpinCpu } from './spin-cpu.js';
import { startStopHeartbeat } from './stop-heartbeat.js';

const FAULTS: Record<Exclude<FaultName, 'clear'>, StartFault> = {
  hang: startHang,
  'stop-heartbeat': startStopHeartbeat,
  'slow-heartbeat': startSlowHeartbeat,
  leak: startLeak,
  bloat: startBloat,
  cpu: startSpinCpu,
  crash: startCrash,
  'fail-health': startFailHealth,
};

interface Entry {
  fault: RunningFault;
  timer: NodeJS.Timeout | undefined;
}

export class FaultInjector {
  readonly #context: FaultContext;
  readonly #enabled: boolean;
  readonly #running = new Map<FaultName, Entry>();

  constructor(context: FaultContext, enabled: boolean) {
    this.#context = context;
    this.#enabled = enabled;
  }

  /** Throws VIGIL_FAULTS_DISABLED unless fault injection was enabled. */
  start(spec: FaultSpec): FaultStart {
    if (!this.#enabled) {
      throw sdkErrors.create(
        'VIGIL_FAULTS_DISABLED',
        `fault injection is disabled in this agent; refused "${spec.name}"`,
      );
    }
    if (spec.name === 'clear') return { did: this.clear() };
    const startFault = FAULTS[spec.name];
    if (!startFault) {
      throw sdkErrors.create('VIGIL_SDK_OPTION_INVALID', `unknown fault ${JSON.stringify(spec.name)}`, {
        hint: `Use one of: ${[...Object.keys(FAULTS), 'clear'].join(', ')}.`,
      });
    }
    const replaced = this.#end(spec.name);
    const started = startFault(spec, this.#context);
    this.#context.logger.warn({ fault: spec }, `fault injection: ${spec.name}`);
    if (started.running) {
      const name = spec.name;
      const timer =
        // A soft-clearable fault uses `seconds` for how long it grows; it then waits for soft.
        spec.seconds === undefined || started.running.softClears
          ? undefined
          : setTimeout(() => {
              const line = this.#end(name);
              if (line) this.#context.logger.info({ fault: name }, line);
            }, spec.seconds * 1000).unref();
      this.#running.set(name, { fault: started.running, timer });
    }
    return replaced ? { ...started, did: [replaced, ...started.did] } : started;
  }

  /** Ends the faults a soft recovery fixes (an injected cache); says what it dropped. */
  endSoftClearable(): string[] {
    return [...this.#running]
      .filter(([, entry]) => entry.fault.softClears)
      .map(([name]) => this.#end(name))
      .filter((line) => line !== undefined);
  }

  /** Ends every running fault; says what each ending undid. */
  clear(): string[] {
    const did = [...this.#running.keys()].map((name) => this.#end(name)).filter((l) => l !== undefined);
    return did.length > 0 ? did : ['clear: no fault was running'];
  }

  #end(name: FaultName): string | undefined {
    const entry = this.#running.get(name);
    if (!entry) return undefined;
    this.#running.delete(name);
    clearTimeout(entry.timer);
    return entry.fault.end();
  }
}

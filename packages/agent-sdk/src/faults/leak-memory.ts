/**
 * leak: grows RSS at a steady rate with memory no garbage collection can reclaim, as a cache
 * without a bound would. Ending the fault drops every chunk so the memory can be returned.
 */
import { forHowLong, type StartFault } from './fault-types.js';

const MIB = 1024 * 1024;
const DEFAULT_MB_PER_SEC = 20;
const TICK_MS = 50;

export const startLeak: StartFault = (spec) => {
  const mbPerSec = spec.mbPerSec ?? DEFAULT_MB_PER_SEC;
  let held: Buffer[] = [];
  let owedBytes = 0;
  const timer = setInterval(() => {
    owedBytes += (mbPerSec * MIB * TICK_MS) / 1000;
    while (owedBytes >= MIB) {
      // A non-zero fill writes every page, so the kernel really hands them over.
      held.push(Buffer.alloc(MIB, 0x5a));
      owedBytes -= MIB;
    }
  }, TICK_MS);
  return {
    did: [`leak: growing memory by ${mbPerSec} MiB/s ${forHowLong(spec)}`],
    running: {
      end() {
        clearInterval(timer);
        const leaked = held.length;
        held = [];
        // Without --expose-gc the chunks go at V8's next collection instead of now.
        (globalThis as { gc?: () => void }).gc?.();
        return `leak: released ${leaked} MiB`;
      },
    },
  };
};

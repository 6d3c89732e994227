/**
 * bloat: a cache that grows by `mbPerSec` (default 20) MiB/s for `seconds` (default 5) and is
 * then held — memory the process does not need, which a soft recovery drops (as a service's
 * soft handler would drop its caches), then collects. The soft rung's test case: a memory
 * signal that clears without a restart. Unlike `leak`, it stops growing and soft fixes it.
 */
import type { StartFault } from './fault-types.js';

const MIB = 1024 * 1024;
const TICK_MS = 50;

export const startBloat: StartFault = (spec) => {
  const mbPerSec = spec.mbPerSec ?? 20;
  const seconds = spec.seconds ?? 5;
  const targetMib = Math.max(1, Math.round(mbPerSec * seconds));
  let cache: Buffer[] = [];
  let owedBytes = 0;
  const timer = setInterval(() => {
    owedBytes += (mbPerSec * MIB * TICK_MS) / 1000;
    while (owedBytes >= MIB && cache.length < targetMib) {
      cache.push(Buffer.alloc(MIB, 0x42));
      owedBytes -= MIB;
    }
    if (cache.length >= targetMib) clearInterval(timer);
  }, TICK_MS);
  return {
    did: [
      `bloat: growing a cache to ${targetMib} MiB at ${mbPerSec} MiB/s, held until a soft recovery or clear`,
    ],
    running: {
      softClears: true,
      end() {
        clearInterval(timer);
        const dropped = cache.length;
        cache = [];
        (globalThis as { gc?: () => void }).gc?.();
        return `bloat: dropped a ${dropped} MiB cache`;
      },
    },
  };
};

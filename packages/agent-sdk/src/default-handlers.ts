/**
 * What recovery does when the service registered nothing for a level: soft collects garbage
 * (when node exposes gc); medium sheds nothing of its own, and the agent still becomes degraded
 * (as after any medium), so the watchdog sees it was heard.
 */

const MIB = 1024 * 1024;

export function collectGarbage(): string {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== 'function') return 'gc: not exposed (start node with --expose-gc)';
  const before = process.memoryUsage();
  gc();
  const after = process.memoryUsage();
  const freed = before.heapUsed + before.external - (after.heapUsed + after.external);
  return `gc: freed ${(Math.max(0, freed) / MIB).toFixed(1)} MiB`;
}

export function degradeOnly(): string {
  return 'no medium handlers registered: nothing shed';
}

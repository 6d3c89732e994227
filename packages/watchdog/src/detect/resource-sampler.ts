/**
 * Samples the RSS and CPU of the agent and its descendants (pidusage) every `intervalMs`, but
 * only while a memory or CPU limit is configured: an idle watchdog with no limits set does no
 * sampling at all. The descendant set comes from ps-list and is refreshed every few seconds,
 * not on every sample, since listing processes costs a fork.
 */

import type { Clock, TimerHandle } from '@vigil/shared';
import { snapshotTree } from '../process/descendants.js';

let pidusageLoaded: typeof import('pidusage') | undefined;

export interface ResourceSample {
  rssBytes: number;
  cpuPercent: number;
  pids: number;
}

export interface ResourceSamplerOptions {
  clock: Clock;
  intervalMs: number;
  refreshTreeMs?: number;
  onSample(sample: ResourceSample): void;
  onError?(error: Error): void;
}

export class ResourceSampler {
  readonly #o: ResourceSamplerOptions;
  #pid: number | null = null;
  #tree: number[] = [];
  #treeAt = Number.NEGATIVE_INFINITY;
  #timer: TimerHandle | undefined;
  #busy = false;

  constructor(options: ResourceSamplerOptions) {
    this.#o = options;
  }

  watch(pid: number): void {
    this.#pid = pid;
    this.#tree = [];
    this.#treeAt = Number.NEGATIVE_INFINITY;
    this.#schedule();
  }

  stop(): void {
    this.#pid = null;
    this.#o.clock.clearTimeout(this.#timer);
    pidusageLoaded?.clear();
  }

  #schedule(): void {
    this.#o.clock.clearTimeout(this.#timer);
    this.#timer = this.#o.clock.setTimeout(() => {
      // A failed sample is skipped, never fatal: the watchdog must outlive anything odd in /proc.
      void this.#tick()
        .catch((error: Error) => this.#o.onError?.(error))
        .finally(() => {
          if (this.#pid !== null) this.#schedule();
        });
    }, this.#o.intervalMs);
  }

  async #tick(): Promise<void> {
    const pid = this.#pid;
    if (pid === null || this.#busy) return;
    this.#busy = true;
    try {
      if (this.#o.clock.now() - this.#treeAt >= (this.#o.refreshTreeMs ?? 2000)) {
        this.#treeAt = this.#o.clock.now();
        this.#tree = (await snapshotTree(pid)).map((p) => p.pid);
      }
      const sample = await measure([pid, ...this.#tree]);
      if (sample && this.#pid === pid) this.#o.onSample(sample);
    } finally {
      this.#busy = false;
    }
  }
}

/** RSS and CPU summed over `pids`; processes that vanished are skipped. Null if none is left. */
export async function measure(pids: number[]): Promise<ResourceSample | null> {
  // Loaded on first use: a watchdog with no limits set samples only when asked for status.
  pidusageLoaded ??= (await import('pidusage')).default;
  const pidusage = pidusageLoaded;
  let stats: Record<string, { memory: number; cpu: number }>;
  try {
    stats = await pidusage(pids);
  } catch {
    // pidusage rejects the whole batch when one pid is gone; fall back to one by one.
    stats = {};
    for (const pid of pids) {
      try {
        stats[pid] = await pidusage(pid);
      } catch {
        // gone
      }
    }
  }
  // A pid that exited between listing and measuring comes back missing or empty: skip it.
  const values = Object.values(stats).filter((s): s is { memory: number; cpu: number } => Boolean(s));
  if (values.length === 0) return null;
  return {
    rssBytes: values.reduce((sum, s) => sum + s.memory, 0),
    cpuPercent: values.reduce((sum, s) => sum + s.cpu, 0),
    pids: values.length,
  };
}

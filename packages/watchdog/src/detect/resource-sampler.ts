/**
 * Samples the RSS and CPU of the agent and its descendants every `intervalMs`, but only while a
 * memory or CPU limit is set: with none, nothing is sampled except on a status request. Read
 * from /proc (proc-usage.ts): one stat read a process a sample, the descendants found by a walk
 * of /proc children files every couple of seconds.
 *
 * CPU is judged by what the agent *wanted* as well as what it got. On a busy host a spinning
 * agent gets only a share of a core (24–42 % was seen with both cores loaded), so "percent of a
 * core" alone never crosses a 95 % limit. Its threads' scheduler times tell the truth: a spinner
 * is always runnable, so time on a CPU plus time waiting for one is close to all of the interval
 * (`demandPercent`, over the agent and its descendants). Those are read only for a process that
 * used a few percent, so an idle agent costs a single read a sample.
 */
import type { Clock, TimerHandle } from '@vigil/shared';
import { identityOf, walkTree } from '../process/descendants.js';
import { CLOCK_TICKS_PER_SECOND, readThreadTimes, readUsage, type ThreadTimes } from './proc-usage.js';

export interface ResourceSample {
  rssBytes: number;
  /** Percent of one core used by the agent and its descendants over the last interval. */
  cpuPercent: number;
  /** Percent of one core the agent's own threads were on a CPU or waiting for one; null when not read. */
  demandPercent: number | null;
  /** The waiting part of that. */
  waitedPercent: number | null;
  /**
   * A process just got busy and its threads have no earlier reading yet: what it wants is not
   * known this time (the next sample knows). A detector must not judge on this one.
   */
  demandPending?: boolean;
  pids: number;
}

/** Below this use of a core the scheduler's times are not read: nothing can be spinning. */
const DEMAND_FROM_PERCENT = 3;

/** Turns readings into rates: CPU ticks per process and its threads' scheduler times, over time. */
export class UsageMeter {
  #ticks = new Map<string, number>();
  /** Thread times of the processes busy enough to be read, by pid+start, then thread id. */
  #threads = new Map<string, Map<string, ThreadTimes>>();
  #at: number | null = null;

  /** Reads `pids` (the agent first, then its descendants) at monotonic `now`; null when none is left. */
  read(pids: readonly number[], now: number): ResourceSample | null {
    const elapsedS = this.#at === null ? null : Math.max(0.001, (now - this.#at) / 1000);
    this.#at = now;
    const elapsedNs = (elapsedS ?? 1) * 1e9;
    const ticks = new Map<string, number>();
    const threads = new Map<string, Map<string, ThreadTimes>>();
    let rssBytes = 0;
    let usedTicks = 0;
    let seen = 0;
    let demandNs: number | null = null;
    let waitedNs = 0;
    let demandPending = false;
    for (const pid of pids) {
      const usage = readUsage(pid);
      if (!usage) continue;
      seen++;
      rssBytes += usage.rssBytes;
      // A pid+start key: a reused pid's whole CPU history is never taken for this interval's.
      const key = `${pid}:${usage.startTicks}`;
      ticks.set(key, usage.cpuTicks);
      const before = this.#ticks.get(key);
      const delta = before === undefined ? 0 : Math.max(0, usage.cpuTicks - before);
      usedTicks += delta;
      const percent = elapsedS === null ? 0 : (delta / CLOCK_TICKS_PER_SECOND / elapsedS) * 100;
      const previous = this.#threads.get(key);
      if (percent < DEMAND_FROM_PERCENT && !previous) continue;
      const times = readThreadTimes(pid);
      if (!times) continue;
      if (percent >= DEMAND_FROM_PERCENT) threads.set(key, times);
      if (!previous) {
        demandPending = true;
        continue;
      }
      for (const [tid, now] of times) {
        const was = previous.get(tid);
        if (!was) continue;
        const waited = Math.max(0, now.waitedNs - was.waitedNs);
        // One thread can want at most all of the interval: a burst of many threads (a GC) on a
        // busy host is not a spin, a thread that never leaves the run queue is.
        demandNs = (demandNs ?? 0) + Math.min(elapsedNs, Math.max(0, now.ranNs - was.ranNs) + waited);
        waitedNs += Math.min(elapsedNs, waited);
      }
    }
    this.#ticks = ticks;
    this.#threads = threads;
    if (seen === 0) return null;
    return {
      rssBytes,
      cpuPercent: elapsedS === null ? 0 : (usedTicks / CLOCK_TICKS_PER_SECOND / elapsedS) * 100,
      pids: seen,
      demandPercent: demandNs === null ? null : (demandNs / elapsedNs) * 100,
      waitedPercent: demandNs === null ? null : (waitedNs / elapsedNs) * 100,
      ...(demandPending ? { demandPending } : {}),
    };
  }
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
  #meter = new UsageMeter();

  constructor(options: ResourceSamplerOptions) {
    this.#o = options;
  }

  watch(pid: number): void {
    this.#pid = pid;
    this.#tree = [];
    this.#treeAt = Number.NEGATIVE_INFINITY;
    this.#meter = new UsageMeter();
    this.#tick();
  }

  stop(): void {
    this.#pid = null;
    this.#o.clock.clearTimeout(this.#timer);
  }

  #tick(): void {
    const pid = this.#pid;
    if (pid === null) return;
    try {
      const now = this.#o.clock.now();
      if (now - this.#treeAt >= (this.#o.refreshTreeMs ?? 2000)) {
        this.#treeAt = now;
        const root = identityOf(pid);
        this.#tree = root ? walkTree([root]).map((p) => p.pid) : [];
      }
      const sample = this.#meter.read([pid, ...this.#tree], now);
      if (sample) this.#o.onSample(sample);
    } catch (error) {
      // A failed sample is skipped, never fatal: the watchdog must outlive anything odd in /proc.
      this.#o.onError?.(error as Error);
    }
    this.#o.clock.clearTimeout(this.#timer);
    this.#timer = this.#o.clock.setTimeout(() => this.#tick(), this.#o.intervalMs);
  }
}

const onDemand = new UsageMeter();

/**
 * RSS and CPU of `pids` for a status request when no sampler runs: the CPU is over the time
 * since the previous request (0 on the first). Null when none of them is left.
 */
export async function measure(pids: number[]): Promise<ResourceSample | null> {
  return onDemand.read(pids, performance.now());
}

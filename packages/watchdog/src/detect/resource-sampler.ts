/**
 * Samples the RSS and CPU of the agent and its descendants every `intervalMs`, but only while a
 * memory or CPU limit is set: with none, nothing is sampled except on a status request. Read
 * straight from /proc (sampled-tree.ts, proc-usage.ts): each process's /proc/PID/stat is held
 * open, so a sample is one pread a process into a reused buffer, with nothing spawned; every
 * couple of seconds a walk of the known tree's /proc/PID/task/TID/children files (held open too)
 * finds new descendants. ps-list and pidusage are not used: ps-list forks `ps` for each listing
 * and pidusage keeps timers of its own, which at four samples a second was most of the
 * watchdog's CPU with limits set.
 *
 * CPU is judged by what the agent *wanted* as well as what it got. On a busy host a spinning
 * agent gets only a share of a core (24–42 % was seen with both cores loaded), so "percent of a
 * core" alone never crosses a 95 % limit. Its threads' scheduler times tell the truth: a spinner
 * is always runnable, so time on a CPU plus time waiting for one is close to all of the interval
 * (`demandPercent`, over the agent and its descendants). Those are read only for a process that
 * is busy — a few percent, and more than the one clock tick any process that merely woke can
 * show — and while it stays so, so an idle agent costs a single read a sample.
 */
import type { Clock, TimerHandle } from '@vigil/shared';
import {
  CLOCK_TICKS_PER_SECOND,
  type ProcessUsage,
  readThreadTimes,
  readUsage,
  type ThreadTimes,
} from './proc-usage.js';
import { SampledTree } from './sampled-tree.js';

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
/**
 * Nor below this many clock ticks in the interval: utime+stime move in whole ticks, so a
 * process that ran a fraction of a millisecond can still show one (4 % of a 250 ms interval).
 */
const DEMAND_FROM_TICKS = 2;
/**
 * Once busy, a process is followed while it shows any CPU at all, and for this many samples
 * with none: a spinner starved on a loaded host may get a tick or none in one interval, and
 * must not pass for idle then (what it wanted is still read for those intervals).
 */
const FOLLOW_QUIET_SAMPLES = 1;

/** What the meter knows of one process since its last reading. */
interface Seen {
  startTicks: number;
  cpuTicks: number;
  /** Its threads' times, kept while it is followed (busy, or lately busy). */
  threads: Map<string, ThreadTimes> | null;
  /** Samples in a row with no CPU at all since it was busy. */
  quiet: number;
  reading: number;
}

/** Turns readings into rates: CPU ticks per process and its threads' scheduler times, over time. */
export class UsageMeter {
  /** By pid; a different start time is another process (a reused pid), with no history. */
  readonly #seen = new Map<number, Seen>();
  #at: number | null = null;
  #readings = 0;

  /** Reads `pids` (the agent first, then its descendants) at monotonic `now`; null when none is left. */
  read(pids: readonly number[], now: number): ResourceSample | null {
    const usages: ProcessUsage[] = [];
    for (const pid of pids) {
      const usage = readUsage(pid);
      if (usage) usages.push(usage);
    }
    return this.rates(usages, now);
  }

  /** The sample for `usages`, read at monotonic `now`; null when there are none. */
  rates(usages: readonly ProcessUsage[], now: number): ResourceSample | null {
    const elapsedS = this.#at === null ? null : Math.max(0.001, (now - this.#at) / 1000);
    this.#at = now;
    const elapsedNs = (elapsedS ?? 1) * 1e9;
    const reading = ++this.#readings;
    let rssBytes = 0;
    let usedTicks = 0;
    let demandNs: number | null = null;
    let waitedNs = 0;
    let demandPending = false;
    for (const usage of usages) {
      rssBytes += usage.rssBytes;
      let seen = this.#seen.get(usage.pid);
      // A pid+start identity: a reused pid's whole CPU history is never taken for this interval's.
      if (seen?.startTicks !== usage.startTicks) {
        seen = { startTicks: usage.startTicks, cpuTicks: usage.cpuTicks, threads: null, quiet: 0, reading };
        this.#seen.set(usage.pid, seen);
      }
      const delta = Math.max(0, usage.cpuTicks - seen.cpuTicks);
      seen.cpuTicks = usage.cpuTicks;
      seen.reading = reading;
      usedTicks += delta;
      const percent = elapsedS === null ? 0 : (delta / CLOCK_TICKS_PER_SECOND / elapsedS) * 100;
      const busy = percent >= DEMAND_FROM_PERCENT && delta >= DEMAND_FROM_TICKS;
      const previous = seen.threads;
      if (!busy && !previous) continue;
      seen.quiet = delta > 0 ? 0 : seen.quiet + 1;
      const times = readThreadTimes(usage.pid);
      seen.threads = busy || seen.quiet <= FOLLOW_QUIET_SAMPLES ? times : null;
      if (!times) continue;
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
    if (this.#seen.size > usages.length) {
      for (const [pid, seen] of this.#seen) if (seen.reading !== reading) this.#seen.delete(pid);
    }
    if (usages.length === 0) return null;
    return {
      rssBytes,
      cpuPercent: elapsedS === null ? 0 : (usedTicks / CLOCK_TICKS_PER_SECOND / elapsedS) * 100,
      pids: usages.length,
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
  /** Called on every tick, sample or not: other work that can share the wakeup. */
  onTick?(): void;
}

export class ResourceSampler {
  readonly #o: ResourceSamplerOptions;
  #tree: SampledTree | null = null;
  #treeAt = Number.NEGATIVE_INFINITY;
  #timer: TimerHandle | undefined;
  #meter = new UsageMeter();

  constructor(options: ResourceSamplerOptions) {
    this.#o = options;
  }

  /** Follows `pid` (the agent just started) and its descendants from now on, instead of any other. */
  watch(pid: number): void {
    this.#tree?.close();
    this.#tree = new SampledTree(pid);
    this.#treeAt = Number.NEGATIVE_INFINITY;
    this.#meter = new UsageMeter();
    // One timer for good, armed before the first sample of the new agent is taken now: a tick
    // that throws (its onTick) still leaves the sampling running, as each later tick does.
    this.#o.clock.clearTimeout(this.#timer);
    this.#timer = this.#o.clock.setInterval(() => this.#tick(), this.#o.intervalMs);
    this.#tick();
  }

  /** Stops sampling and gives back every descriptor it held. */
  stop(): void {
    this.#tree?.close();
    this.#tree = null;
    this.#o.clock.clearTimeout(this.#timer);
  }

  /** How many processes are followed now (the agent included); 0 when stopped. */
  get following(): number {
    return this.#tree?.size ?? 0;
  }

  #tick(): void {
    const tree = this.#tree;
    if (!tree) return;
    try {
      const now = this.#o.clock.now();
      if (now - this.#treeAt >= (this.#o.refreshTreeMs ?? 2000)) {
        this.#treeAt = now;
        tree.refresh();
      }
      const usages = tree.read();
      const sample = usages && this.#meter.rates(usages, now);
      if (sample) this.#o.onSample(sample);
    } catch (error) {
      // A failed sample is skipped, never fatal: the watchdog must outlive anything odd in /proc.
      this.#o.onError?.(error as Error);
    }
    this.#o.onTick?.();
  }
}

const onDemand = new UsageMeter();

/**
 * RSS and CPU of `pids` for a status request when no sampler runs: the CPU is over the time
 * since the previous request (0 on the first). Null when none of them is left. Each file is
 * opened and closed for the request: nothing is held between requests.
 */
export async function measure(pids: number[]): Promise<ResourceSample | null> {
  return onDemand.read(pids, performance.now());
}

/**
 * Watches a running pair from outside while a long test abuses it: every `everyMs` it checks
 * that the watchdog process lives, asks `status` on the control socket with a deadline, and
 * reads the watchdog's RSS. Samples are kept compact (long runs take thousands); a sample that
 * breaks an expectation becomes a failure the test can stop on at once.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import type { AgentState, StatusSnapshot } from '@vigil/shared';
import { sendRequest } from '@vigil/shared/client';
import type { Pair } from './pair.ts';
import { isAlive } from './processes.ts';
import { MiB, vmRssBytes } from './vm-rss.ts';

export interface PairSample {
  /** Epoch ms when the sample was taken. */
  at: number;
  /** Round trip of `status`; null when it failed or missed the deadline. */
  statusMs: number | null;
  error: string | null;
  watchdogAlive: boolean;
  watchdogRss: number | null;
  agentPid: number | null;
  agentState: AgentState | null;
  lastHeartbeatAgoMs: number | null;
  eventLoopLagMs: number | null;
  restarts: number | null;
  rung: string | null;
  incidentId: string | null;
  recentIncidents: number | null;
}

export interface PairMonitorOptions {
  everyMs: number;
  /** The watchdog must answer `status` within this; a slower answer is a failure. */
  statusDeadlineMs: number;
  /** Further expectations on each sample; a returned string is recorded as a failure. */
  expect?(sample: PairSample, status: StatusSnapshot | null): string | undefined;
}

export interface RssSummary {
  startMiB: number;
  maxMiB: number;
  endMiB: number;
}

const MAX_FAILURES = 20;

/** The last line of a log file (a crash's fatal record, or "received SIGTERM" from outside). */
function lastLine(file: string): string {
  try {
    const size = statSync(file).size;
    const fd = openSync(file, 'r');
    const buffer = Buffer.alloc(Math.min(size, 8192));
    readSync(fd, buffer, 0, buffer.length, size - buffer.length);
    closeSync(fd);
    return buffer.toString('utf8').trimEnd().split('\n').at(-1)?.slice(0, 2000) ?? '';
  } catch {
    return '(no log)';
  }
}

export class PairMonitor {
  readonly samples: PairSample[] = [];
  readonly failures: string[] = [];
  readonly #pair: Pair;
  readonly #o: PairMonitorOptions;
  #running = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;

  constructor(pair: Pair, options: PairMonitorOptions) {
    this.#pair = pair;
    this.#o = options;
  }

  get failed(): boolean {
    return this.failures.length > 0;
  }

  start(): this {
    this.#running = true;
    this.#loop = this.#run();
    return this;
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#wake?.();
    await this.#loop;
  }

  /** One sample now, also recorded; for a final check after the abuse has stopped. */
  async sampleNow(): Promise<PairSample> {
    const watchdog = this.#pair.watchdog;
    const pid = watchdog?.pid ?? 0;
    const sample: PairSample = {
      at: Date.now(),
      statusMs: null,
      error: null,
      watchdogAlive:
        watchdog !== undefined && watchdog.exitCode === null && watchdog.signalCode === null && isAlive(pid),
      watchdogRss: vmRssBytes(pid),
      agentPid: null,
      agentState: null,
      lastHeartbeatAgoMs: null,
      eventLoopLagMs: null,
      restarts: null,
      rung: null,
      incidentId: null,
      recentIncidents: null,
    };
    let status: StatusSnapshot | null = null;
    if (!sample.watchdogAlive) {
      sample.error = `the watchdog (pid ${pid}) is gone: exit ${watchdog?.exitCode}, signal ${watchdog?.signalCode}; its last log line: ${lastLine(this.#pair.paths.watchdogLog)}`;
    } else {
      const started = performance.now();
      try {
        const response = await sendRequest(
          this.#pair.paths.controlSocket,
          { op: 'status' },
          this.#o.statusDeadlineMs,
        );
        if (!response.ok) throw new Error(`status refused: ${response.error.message}`);
        sample.statusMs = Math.round(performance.now() - started);
        status = response.data as StatusSnapshot;
        sample.agentPid = status.agent.pid;
        sample.agentState = status.agent.state;
        sample.lastHeartbeatAgoMs = status.agent.lastHeartbeatAgoMs;
        sample.eventLoopLagMs = status.agent.eventLoopLagMs;
        sample.restarts = status.agent.restarts;
        sample.rung = status.recovery.rung;
        sample.incidentId = status.recovery.incidentId;
        sample.recentIncidents = status.incidents.length;
      } catch (error) {
        sample.error = `status on the control socket failed after ${Math.round(performance.now() - started)} ms: ${(error as Error).message}`;
      }
    }
    this.samples.push(sample);
    const problem = sample.error ?? this.#o.expect?.(sample, status);
    if (problem && this.failures.length < MAX_FAILURES) {
      this.failures.push(`${new Date(sample.at).toISOString()} ${problem}`);
    }
    return sample;
  }

  rss(fromAt = 0): RssSummary {
    const values = this.samples
      .filter((s) => s.at >= fromAt && s.watchdogRss !== null)
      .map((s) => s.watchdogRss as number);
    const mib = (b: number | undefined) => Math.round(((b ?? 0) / MiB) * 10) / 10;
    return { startMiB: mib(values[0]), maxMiB: mib(Math.max(0, ...values)), endMiB: mib(values.at(-1)) };
  }

  async #run(): Promise<void> {
    while (this.#running) {
      const started = Date.now();
      await this.sampleNow();
      const wait = Math.max(0, this.#o.everyMs - (Date.now() - started));
      if (!this.#running) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
}

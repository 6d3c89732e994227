/**
 * The heartbeat. It rides the agent's pulse (pulse.ts) while the agent is connected, so the
 * beat, the lag it reports and the stall sentinel share one wakeup; faults can pause it (the
 * process stays alive and answers commands) or stretch its interval, independently of each other.
 */
import { type HeartbeatMessage, hostMonotonicMs, PROTOCOL_VERSION } from '@vigil/shared';
import { EventLoopLag } from './event-loop-lag.js';
import { type Ride, ride } from './pulse.js';
import type { SelfReport } from './self-report.js';

export interface HeartbeatLoopOptions {
  intervalMs: number;
  report: SelfReport;
  send(message: HeartbeatMessage): void;
}

export class HeartbeatLoop {
  readonly #report: SelfReport;
  readonly #send: (message: HeartbeatMessage) => void;
  readonly #lag = new EventLoopLag();
  #intervalMs: number;
  #stretchedMs: number | undefined;
  #paused = false;
  #running = false;
  #ride: Ride | undefined;
  #seq = 0;
  /** The config report's version last sent in this session; -1: send it with the next beat. */
  #sentConfigVersion = -1;
  /** The same for the warnings; 0 is "never set", which needs no beat to say. */
  #sentWarningsVersion = 0;
  /** The checks' report last sent in this session, as JSON; '' sends the next one. */
  #sentChecks = '';
  /** The stamp the checks had when last read in this session (undefined: read them next beat). */
  #readChecksRevision: string | undefined;

  constructor(options: HeartbeatLoopOptions) {
    this.#intervalMs = options.intervalMs;
    this.#report = options.report;
    this.#send = options.send;
  }

  get intervalMs(): number {
    return this.#stretchedMs ?? this.#intervalMs;
  }

  /** Begins beating at once, so a fresh connection is confirmed without waiting an interval. */
  start(intervalMs = this.#intervalMs): void {
    this.#intervalMs = intervalMs;
    this.#running = true;
    this.#sentConfigVersion = -1;
    this.#sentWarningsVersion = 0;
    this.#sentChecks = '';
    this.#readChecksRevision = undefined;
    this.#lag.start();
    this.#schedule();
    this.#beat();
  }

  stop(): void {
    this.#running = false;
    this.#ride?.stop();
    this.#ride = undefined;
  }

  /** One beat now, outside the schedule: the last word before a graceful stop. */
  beatNow(): void {
    if (this.#running) this.#beat();
  }

  /** stop() plus the lag monitor: nothing of the loop is left. */
  dispose(): void {
    this.stop();
    this.#lag.stop();
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
  }

  stretch(intervalMs: number): void {
    this.#stretchedMs = intervalMs;
    this.#ride?.setPeriod(this.intervalMs);
  }

  unstretch(): void {
    this.#stretchedMs = undefined;
    this.#ride?.setPeriod(this.intervalMs);
  }

  #schedule(): void {
    this.#ride?.stop();
    // ref: a connected agent stays alive on its heartbeat, as it did on a timer of its own.
    this.#ride = this.#running ? ride(this.intervalMs, () => this.#beat(), { ref: true }) : undefined;
  }

  #beat(): void {
    if (this.#paused) return;
    const memory = process.memoryUsage();
    const report = this.#report;
    const config =
      report.config && report.configVersion !== this.#sentConfigVersion ? report.config : undefined;
    if (config) this.#sentConfigVersion = report.configVersion;
    const warnings = report.warningsVersion !== this.#sentWarningsVersion ? report.warnings : undefined;
    if (warnings) this.#sentWarningsVersion = report.warningsVersion;
    // With a stamp that has not moved since the last read, the reports are what was last sent:
    // neither built nor compared (most beats: checks run seconds apart).
    const revision = report.checksRevision();
    let checks: ReturnType<SelfReport['checks']>;
    if (revision === undefined || revision !== this.#readChecksRevision) {
      const current = report.checks();
      const checksJson = current ? JSON.stringify(current) : '';
      checks = current && checksJson !== this.#sentChecks ? current : undefined;
      if (checks) this.#sentChecks = checksJson;
      this.#readChecksRevision = current ? revision : undefined;
    }
    this.#send({
      v: PROTOCOL_VERSION,
      type: 'heartbeat',
      seq: this.#seq++,
      mono: hostMonotonicMs(),
      // The pulse records a tick's lateness before it beats, so a block that just ended is in here.
      lagMs: Math.round(this.#lag.takeP99Ms() * 100) / 100,
      heapUsedBytes: memory.heapUsed,
      rssBytes: memory.rss,
      progress: this.#report.progress,
      health: this.#report.health(),
      state: this.#report.state,
      ...(config ? { config } : {}),
      ...(warnings ? { warnings } : {}),
      ...(checks ? { checks } : {}),
    });
  }
}

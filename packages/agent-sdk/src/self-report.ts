/**
 * What the agent says about itself in each heartbeat: its lifecycle state, its health and its
 * progress counter. Fault injection can force the health to `failing` without the service's
 * own health being touched, so clearing the fault gives the real value back.
 */
import {
  type AgentLifecycle,
  type CheckReports,
  type ConfigReport,
  type HealthSummary,
  MAX_WARNING_CHARS,
  MAX_WARNINGS,
} from '@vigil/shared';
import { boundCheckReports, type CheckReportSource, type CheckRevision } from './check-reports.js';

export type HealthSource = HealthSummary | (() => HealthSummary);

const MAX_SUMMARY = 512;

function bounded(health: HealthSummary): HealthSummary {
  if (health.summary === undefined || health.summary.length <= MAX_SUMMARY) return health;
  return { ...health, summary: `${health.summary.slice(0, MAX_SUMMARY - 3)}...` };
}

export class SelfReport {
  readonly #state: () => AgentLifecycle;
  #progress = 0;
  #health: HealthSource = { status: 'ok' };
  #forcedFailing: string | undefined;
  #config: ConfigReport | undefined;
  #configVersion = 0;
  readonly #warnings = new Map<string, string>();
  #warningsVersion = 0;
  #checks: CheckReportSource | undefined;
  #checksRevision: CheckRevision | undefined;
  /** Grows with each setChecks: a new source's stamps never match the old one's. */
  #checksSource = 0;

  /** `state` reads the lifecycle, the one writer of the state heartbeats report. */
  constructor(state: () => AgentLifecycle = () => 'starting') {
    this.#state = state;
  }

  get state(): AgentLifecycle {
    return this.#state();
  }

  get progress(): number {
    return this.#progress;
  }

  tick(n = 1): void {
    if (!Number.isFinite(n) || n < 0) return;
    // Wraps long before 2^53 so the counter always stays an integer the schema accepts.
    this.#progress = (this.#progress + Math.floor(n)) % Number.MAX_SAFE_INTEGER;
  }

  /** What config the service runs; sent with the next heartbeat (and the first of each session). */
  setConfig(report: ConfigReport): void {
    this.#config = report;
    this.#configVersion++;
  }

  get config(): ConfigReport | undefined {
    return this.#config;
  }

  /** Grows with each setConfig, so the heartbeat loop sends the report only when it changed. */
  get configVersion(): number {
    return this.#configVersion;
  }

  /** A warning under `key` (null clears it); sent with the next heartbeat, like the config. */
  setWarning(key: string, text: string | null): void {
    const line =
      text === null
        ? undefined
        : text.length > MAX_WARNING_CHARS
          ? `${text.slice(0, MAX_WARNING_CHARS - 3)}...`
          : text;
    if (this.#warnings.get(key) === line) return;
    if (line === undefined) this.#warnings.delete(key);
    else this.#warnings.set(key, line);
    this.#warningsVersion++;
  }

  /** The first few warnings, in the order they were first set. */
  get warnings(): string[] {
    return [...this.#warnings.values()].slice(0, MAX_WARNINGS);
  }

  /** 0 until a warning was ever set; grows with each change. */
  get warningsVersion(): number {
    return this.#warningsVersion;
  }

  /** Where each check's state comes from; asked at every heartbeat, sent when it changed. */
  setChecks(source: CheckReportSource, revision?: CheckRevision): void {
    this.#checks = source;
    this.#checksRevision = revision;
    this.#checksSource++;
  }

  /**
   * The checks' stamp, when the service gives one (and it answers): equal stamps mean the reports
   * are the same as when it was last read. Undefined: ask `checks()` and compare.
   */
  checksRevision(): string | undefined {
    if (!this.#checks || !this.#checksRevision) return undefined;
    try {
      return `${this.#checksSource}:${this.#checksRevision()}`;
    } catch {
      return undefined;
    }
  }

  /** The checks, bounded; undefined when the service reports none. */
  checks(): CheckReports | undefined {
    if (!this.#checks) return undefined;
    try {
      return boundCheckReports(this.#checks());
    } catch {
      // The health callback reports a broken service; the per-check list just goes unsent.
      return undefined;
    }
  }

  setHealth(source: HealthSource): void {
    this.#health = source;
  }

  forceFailing(summary: string): void {
    this.#forcedFailing = summary;
  }

  unforce(): void {
    this.#forcedFailing = undefined;
  }

  health(): HealthSummary {
    if (this.#forcedFailing !== undefined) return { status: 'failing', summary: this.#forcedFailing };
    const source = this.#health;
    if (typeof source !== 'function') return bounded(source);
    try {
      return bounded(source());
    } catch (error) {
      // A broken health callback is itself a health problem, not a reason to stop beating.
      return bounded({ status: 'failing', summary: `health callback threw: ${(error as Error).message}` });
    }
  }
}

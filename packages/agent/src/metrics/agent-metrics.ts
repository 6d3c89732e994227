/**
 * The agent's Prometheus metrics (prom-client): checks, alerts, remediation and its breakers,
 * recovery handler runs, config reloads, and the agent process itself (event-loop lag, memory).
 * prom-client's default metrics are not used: some of them break Prometheus naming rules
 * (gauges ending in _total) and `promtool check metrics` rejects the exposition. One registry
 * per agent, so tests can run several. docs/metrics.md is the contract for every name here.
 */

import { EventLoopLag } from '@vigil/agent-sdk';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** watchdog.resources.memory: unset limits have no series. */
export interface MemoryLimits {
  maxRssBytes?: number | undefined;
  ceilingRssBytes?: number | undefined;
}

const STATUS_VALUE = { ok: 0, warn: 1, critical: 2 } as const;
const BREAKER_STATES = ['closed', 'open', 'half-open'] as const;

export class AgentMetrics {
  readonly registry = new Registry();
  readonly #checkStatus = new Gauge({
    name: 'vigil_check_status',
    help: 'Displayed status of each check: 0 ok, 1 warn, 2 critical.',
    labelNames: ['check', 'type'],
    registers: [this.registry],
  });
  readonly #checkPaused = new Gauge({
    name: 'vigil_check_paused',
    help: '1 while a check is paused (the agent is degraded and the check is not critical).',
    labelNames: ['check'],
    registers: [this.registry],
  });
  readonly #checkDuration = new Histogram({
    name: 'vigil_check_duration_seconds',
    help: 'How long each check run took.',
    labelNames: ['check'],
    buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly #checkRuns = new Counter({
    name: 'vigil_check_runs_total',
    help: 'Check runs by raw result (before hysteresis); error when the check threw or timed out.',
    labelNames: ['check', 'result'],
    registers: [this.registry],
  });
  readonly #alerts = new Counter({
    name: 'vigil_alerts_sent_total',
    help: 'Alerts delivered, by sink and status.',
    labelNames: ['sink', 'status'],
    registers: [this.registry],
  });
  readonly #suppressed = new Counter({
    name: 'vigil_alerts_suppressed_total',
    help: 'Alerts not sent, by reason (dedupe, throttle, maintenance, storm).',
    labelNames: ['reason'],
    registers: [this.registry],
  });
  readonly #remediations = new Counter({
    name: 'vigil_remediations_total',
    help: 'Remediation runs by check and result (ok, failed, skipped).',
    labelNames: ['check', 'result'],
    registers: [this.registry],
  });
  readonly #breaker = new Gauge({
    name: 'vigil_breaker_state',
    help: "Each check's remediation circuit breaker, 1 for its current state.",
    labelNames: ['check', 'state'],
    registers: [this.registry],
  });
  readonly #recoveries = new Counter({
    name: 'vigil_recovery_handler_runs_total',
    help: 'Recovery handler runs asked for by the watchdog (soft, medium, restore).',
    labelNames: ['level'],
    registers: [this.registry],
  });
  readonly #degraded = new Gauge({
    name: 'vigil_agent_degraded',
    help: '1 while the agent is degraded (after a medium recovery).',
    registers: [this.registry],
  });
  readonly #reloads = new Counter({
    name: 'vigil_config_reloads_total',
    help: 'Config file changes handled, by outcome (applied, unchanged, rejected, rolled-back, deleted).',
    labelNames: ['result'],
    registers: [this.registry],
  });

  // The SDK's monitor (one per process, shared with the heartbeat), with a window of its own.
  readonly #loopDelay = new EventLoopLag();
  #memoryLimits: () => MemoryLimits = () => ({});

  constructor() {
    this.#loopDelay.start();
    const loopDelay = this.#loopDelay;
    new Gauge({
      name: 'vigil_agent_event_loop_lag_seconds',
      help: 'Event-loop delay of the agent, p99 since the previous scrape.',
      registers: [this.registry],
      collect() {
        this.set(loopDelay.takeP99Ms() / 1000);
      },
    });
    new Gauge({
      name: 'vigil_agent_resident_memory_bytes',
      help: 'Resident set size of the agent process.',
      registers: [this.registry],
      collect() {
        this.set(process.memoryUsage.rss());
      },
    });
    new Gauge({
      name: 'vigil_agent_heap_used_bytes',
      help: 'V8 heap in use by the agent.',
      registers: [this.registry],
      collect() {
        this.set(process.memoryUsage().heapUsed);
      },
    });
    const limits = () => this.#memoryLimits();
    new Gauge({
      name: 'vigil_agent_memory_limit_bytes',
      help: "The watchdog's memory limits for the agent and its descendants, as configured (max, ceiling).",
      labelNames: ['limit'],
      registers: [this.registry],
      collect() {
        const { maxRssBytes, ceilingRssBytes } = limits();
        this.reset();
        if (maxRssBytes !== undefined) this.set({ limit: 'max' }, maxRssBytes);
        if (ceilingRssBytes !== undefined) this.set({ limit: 'ceiling' }, ceilingRssBytes);
      },
    });
    new Gauge({
      name: 'vigil_agent_start_time_seconds',
      help: 'When the agent process started, seconds since the epoch.',
      registers: [this.registry],
      collect() {
        this.set(Math.round(performance.timeOrigin / 1000));
      },
    });
  }

  /** Where the memory limits come from: the config the agent runs, re-read at each scrape. */
  memoryLimits(read: () => MemoryLimits): void {
    this.#memoryLimits = read;
  }

  /** Stops the event-loop monitor (at shutdown). */
  close(): void {
    this.#loopDelay.stop();
  }

  checkResult(name: string, status: keyof typeof STATUS_VALUE | 'error', durationMs: number): void {
    this.#checkDuration.observe({ check: name }, durationMs / 1000);
    this.#checkRuns.inc({ check: name, result: status });
  }

  checkStatus(name: string, type: string, status: keyof typeof STATUS_VALUE, paused: boolean): void {
    this.#checkStatus.set({ check: name, type }, STATUS_VALUE[status]);
    this.#checkPaused.set({ check: name }, paused ? 1 : 0);
  }

  forgetCheck(name: string): void {
    for (const metric of [this.#checkStatus, this.#checkPaused]) metric.remove({ check: name });
  }

  alertSent(sink: string, status: 'firing' | 'resolved'): void {
    this.#alerts.inc({ sink, status });
  }

  alertSuppressed(reason: string): void {
    this.#suppressed.inc({ reason });
  }

  remediationRun(check: string, result: 'ok' | 'failed' | 'skipped'): void {
    this.#remediations.inc({ check, result });
  }

  breakerState(check: string, state: (typeof BREAKER_STATES)[number]): void {
    for (const s of BREAKER_STATES) this.#breaker.set({ check, state: s }, s === state ? 1 : 0);
  }

  recoveryRun(level: 'soft' | 'medium' | 'restore'): void {
    this.#recoveries.inc({ level });
  }

  degraded(value: boolean): void {
    this.#degraded.set(value ? 1 : 0);
  }

  configReload(result: string): void {
    this.#reloads.inc({ result });
  }
}

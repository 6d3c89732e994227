/**
 * What the agent does about a check's change of state, as far as alerting goes: decide what to
 * send (ledger: one alert per incident), hold it back when policy says so (throttle, storm
 * window, maintenance), and hand it to the sinks: the log always, the webhook and
 * Alertmanager when configured.
 */
import { hostname as osHostname } from 'node:os';
import { type Clock, type Logger, systemClock } from '@vigil/shared';
import type { CheckChange } from './action-types.js';
import { AlertLedger, decide } from './alert-ledger.js';
import { groupNotices, STORM_WINDOW_MS, StormWindow } from './alert-storm.js';
import { AlertThrottle } from './alert-throttle.js';
import {
  type Alert,
  type AlertMetrics,
  type AlertNotice,
  type AlertSink,
  noticeAlerts,
  noticeStatus,
  type SuppressReason,
} from './alert-types.js';
import { DEFAULT_DELIVERY, type DeliveryOptions } from './delivery-options.js';
import { LogSink } from './log-sink.js';
import { MaintenanceWindow } from './maintenance-window.js';
import { NetworkSinks } from './network-sinks.js';

export type { AlertsConfig } from './alert-types.js';

import type { AlertsConfig } from './alert-types.js';

export interface AlertDispatcherOptions {
  config: AlertsConfig;
  logger: Logger;
  clock?: Clock | undefined;
  /** The `host` of webhook payloads and the `instance` label in Alertmanager. */
  hostname?: string | undefined;
  metrics?: AlertMetrics | undefined;
  /** More sinks after the configured ones (tests, embedders). */
  sinks?: readonly AlertSink[] | undefined;
  stormWindowMs?: number | undefined;
  delivery?: Partial<DeliveryOptions> | undefined;
  /** Alertmanager re-post interval for firing alerts. */
  repostMs?: number | undefined;
  /** How long close() waits for deliveries in flight before abandoning them. */
  closeGraceMs?: number | undefined;
}

export class AlertDispatcher {
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #metrics: AlertMetrics | undefined;
  readonly #extraSinks: readonly AlertSink[];
  readonly #closeGraceMs: number;
  readonly #log: LogSink;
  readonly #network: NetworkSinks;
  readonly #ledger = new AlertLedger();
  readonly #storm: StormWindow;
  readonly #throttle: AlertThrottle;
  readonly #maintenance: MaintenanceWindow;
  #summaryAfter: number;
  #closed = false;

  constructor(options: AlertDispatcherOptions) {
    this.#logger = options.logger;
    this.#clock = options.clock ?? systemClock;
    this.#metrics = options.metrics;
    this.#extraSinks = options.sinks ?? [];
    this.#closeGraceMs = options.closeGraceMs ?? 2000;
    this.#log = new LogSink(options.logger);
    this.#network = new NetworkSinks({
      host: options.hostname ?? osHostname(),
      logger: options.logger,
      clock: this.#clock,
      delivery: { ...DEFAULT_DELIVERY, ...options.delivery },
      repostMs: options.repostMs,
      retireGraceMs: this.#closeGraceMs,
    });
    this.#summaryAfter = options.config.summaryAfter;
    this.#storm = new StormWindow({
      clock: this.#clock,
      windowMs: options.stormWindowMs ?? STORM_WINDOW_MS,
      onFlush: (checks) => this.#reconcile(checks),
    });
    this.#throttle = new AlertThrottle({
      throttleMs: options.config.throttleMs,
      clock: this.#clock,
      onExpire: (check) => this.#reconcile([check]),
    });
    this.#maintenance = new MaintenanceWindow(this.#clock, () => {
      this.#logger.info(
        { event: 'maintenance' },
        'alert maintenance window ended; sending what is still firing',
      );
      this.#reconcile(this.#ledger.checks());
    });
    this.#network.configure(options.config, []);
  }

  onChange(change: CheckChange): void {
    if (this.#closed) return;
    const entry = this.#ledger.apply(change);
    if (entry.wanted) {
      this.#storm.add(change.name);
    } else {
      this.#storm.remove(change.name);
      this.#reconcile([change.name]);
    }
  }

  /** Silences every sink but the log until untilMs (epoch ms); 0 ends the window now. */
  setMaintenance(untilMs: number): void {
    if (this.#closed) return;
    if (untilMs > this.#clock.wallNow()) {
      this.#logger.info(
        { event: 'maintenance', until: new Date(untilMs).toISOString() },
        'alert maintenance window',
      );
    }
    this.#maintenance.set(untilMs);
  }

  reconfigure(config: AlertsConfig): void {
    if (this.#closed) return;
    this.#summaryAfter = config.summaryAfter;
    this.#throttle.throttleMs = config.throttleMs;
    this.#network.configure(config, this.#ledger.deliveredFiring());
  }

  /** Sends what waits in the storm window, then waits (bounded) for deliveries in flight. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#storm.flush();
    this.#closed = true;
    this.#storm.close();
    this.#throttle.close();
    this.#maintenance.close();
    await Promise.all([
      this.#network.close(this.#closeGraceMs),
      ...this.#extraSinks.map((s) => s.close(this.#closeGraceMs)),
    ]);
  }

  /** Decides, for each check, what the sinks get now; alerts going out together may form a storm. */
  #reconcile(checks: readonly string[]): void {
    const outgoing: Alert[] = [];
    const silenced: Alert[] = [];
    for (const check of checks) {
      const entry = this.#ledger.get(check);
      if (!entry || this.#storm.has(check)) continue;
      // Only a new incident is throttled; asking arms the wake-up that sends it later.
      const throttled = entry.wanted !== undefined && !entry.delivered && this.#throttle.holds(check);
      const decision = decide(entry, throttled);
      if (decision.kind === 'hold') this.#hold(decision.alert, decision.reason);
      else if (decision.kind === 'send')
        (this.#maintenance.active ? silenced : outgoing).push(decision.alert);
    }
    const fresh = silenced.filter((alert) => this.#ledger.markHeld(alert, 'maintenance'));
    for (const notice of groupNotices(fresh, this.#summaryAfter)) {
      for (const _alert of noticeAlerts(notice)) this.#metrics?.alertSuppressed('maintenance');
      this.#log.suppressed(notice, 'maintenance');
    }
    for (const alert of outgoing) {
      this.#ledger.markSent(alert);
      if (alert.status === 'resolved') this.#throttle.noteResolved(alert.check);
    }
    for (const notice of groupNotices(outgoing, this.#summaryAfter)) {
      if (notice.kind === 'storm')
        for (const _alert of notice.alerts) this.#metrics?.alertSuppressed('storm');
      this.#deliver(notice);
    }
  }

  #hold(alert: Alert, reason: SuppressReason): void {
    if (reason === 'dedupe') {
      this.#metrics?.alertSuppressed('dedupe');
      this.#logger.debug(
        { event: 'alert-deduped', check: alert.check, severity: alert.severity },
        'alert already sent',
      );
      return;
    }
    if (!this.#ledger.markHeld(alert, reason)) return;
    this.#metrics?.alertSuppressed(reason);
    this.#log.suppressed({ kind: 'single', alert }, reason);
  }

  #deliver(notice: AlertNotice): void {
    const status = noticeStatus(notice);
    for (const sink of [this.#log, ...this.#network.sinks(), ...this.#extraSinks]) {
      void sink.send(notice).then((sent) => {
        if (sent) this.#metrics?.alertSent(sink.name, status);
      });
    }
  }
}

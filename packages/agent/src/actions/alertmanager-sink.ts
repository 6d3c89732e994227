/**
 * Sends alerts to Prometheus Alertmanager's v2 API (`POST {url}/api/v2/alerts`).
 *
 * A storm is not summarised here: every check's alert goes in one POST, because Alertmanager
 * groups alerts itself (route `group_by`/`group_wait`) into one notification, and a separate
 * `VigilAlertStorm` alert would page twice and need a lifecycle of its own.
 *
 * Alertmanager expires an alert without `endsAt` after its `resolve_timeout`, so every firing
 * alert is re-posted every repostMs (on the injected clock) until it resolves or the sink closes.
 * Severity is a label, so a severity change is a different alert: the old one is ended with it.
 */
import type { Clock, Logger, TimerHandle } from '@vigil/shared';
import { type Alert, type AlertNotice, type AlertSink, noticeAlerts } from './alert-types.js';
import { deliverAlert } from './deliver-alert.js';
import type { DeliveryOptions } from './delivery-options.js';
import { InFlight } from './in-flight.js';

export interface AlertmanagerSinkOptions {
  /** Base URL, e.g. http://127.0.0.1:9093. */
  url: string;
  /** Added to every alert's labels (`agent.alerts.alertmanager.labels`). */
  labels: Readonly<Record<string, string>>;
  host: string;
  logger: Logger;
  clock: Clock;
  delivery: DeliveryOptions;
  repostMs?: number | undefined;
}

/** The v2 API's postable alert. */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations: { summary: string };
  startsAt: string;
  endsAt?: string;
}

export const DEFAULT_REPOST_MS = 60_000;

export class AlertmanagerSink implements AlertSink {
  readonly name = 'alertmanager';
  readonly #o: AlertmanagerSinkOptions;
  readonly #endpoint: string;
  readonly #inFlight = new InFlight();
  /** The firing alert Alertmanager holds for each check, kept alive by re-posting. */
  readonly #firing = new Map<string, { alert: Alert; postable: PostableAlert }>();
  #repost: TimerHandle | undefined;

  constructor(options: AlertmanagerSinkOptions) {
    this.#o = options;
    this.#endpoint = `${options.url.replace(/\/+$/, '')}/api/v2/alerts`;
  }

  send(notice: AlertNotice): Promise<boolean> {
    return this.#apply(noticeAlerts(notice));
  }

  /** Takes over alerts already firing (a new URL after a reload); Alertmanager de-duplicates. */
  adopt(alerts: readonly Alert[]): void {
    if (alerts.length > 0) void this.#apply(alerts);
  }

  async close(graceMs: number): Promise<void> {
    this.#o.clock.clearTimeout(this.#repost);
    this.#repost = undefined;
    this.#firing.clear();
    await this.#inFlight.drain(this.#o.clock, graceMs);
  }

  postable(alert: Alert): PostableAlert {
    return {
      labels: {
        alertname: 'VigilCheckFailing',
        check: alert.check,
        severity: alert.severity,
        instance: this.#o.host,
        ...this.#o.labels,
        ...alert.labels,
      },
      annotations: { summary: alert.summary },
      startsAt: new Date(alert.startsAt).toISOString(),
      ...(alert.endsAt === undefined ? {} : { endsAt: new Date(alert.endsAt).toISOString() }),
    };
  }

  #apply(alerts: readonly Alert[]): Promise<boolean> {
    const body: PostableAlert[] = [];
    for (const alert of alerts) {
      const held = this.#firing.get(alert.check);
      if (alert.status === 'firing') {
        if (held && held.alert.severity !== alert.severity) body.push(ended(held.postable, this.#o.clock));
        const postable = this.postable(alert);
        this.#firing.set(alert.check, { alert, postable });
        body.push(postable);
      } else {
        this.#firing.delete(alert.check);
        body.push(held ? ended(held.postable, this.#o.clock, alert.endsAt) : this.postable(alert));
      }
    }
    this.#schedule();
    return this.#inFlight.track(this.#post(body));
  }

  /** Keeps one re-post timer while anything fires; a send does not push it back. */
  #schedule(): void {
    const { clock } = this.#o;
    if (this.#firing.size === 0) {
      clock.clearTimeout(this.#repost);
      this.#repost = undefined;
      return;
    }
    if (this.#repost) return;
    this.#repost = clock.setTimeout(() => {
      this.#repost = undefined;
      void this.#inFlight.track(this.#post([...this.#firing.values()].map((f) => f.postable)));
      this.#schedule();
    }, this.#o.repostMs ?? DEFAULT_REPOST_MS);
  }

  #post(body: PostableAlert[]): Promise<boolean> {
    const { clock, delivery, logger } = this.#o;
    const checks = body.map((a) => a.labels.check);
    const signal = this.#inFlight.signal;
    const url = this.#endpoint;
    return deliverAlert({ sink: this.name, url, body, checks, signal, clock, delivery, logger });
  }
}

/** The same alert (same labels) with an end, so Alertmanager resolves it. */
function ended(postable: PostableAlert, clock: Clock, endsAt = clock.wallNow()): PostableAlert {
  return { ...postable, endsAt: new Date(endsAt).toISOString() };
}

/**
 * POSTs each alert as JSON to `agent.alerts.webhook`, with retries and backoff. A storm is one
 * POST: the summary at the top level (so a receiver that reads only `summary` still makes
 * sense of it) and every check's alert under `alerts`. Failures are logged, never thrown.
 */
import type { AgentAlertBody, Clock, Logger } from '@vigil/shared';
import type { Alert, AlertNotice, AlertSink } from './alert-types.js';
import { deliverAlert } from './deliver-alert.js';
import type { DeliveryOptions } from './delivery-options.js';
import { InFlight } from './in-flight.js';

export interface WebhookSinkOptions {
  url: string;
  host: string;
  logger: Logger;
  clock: Clock;
  delivery: DeliveryOptions;
}

export class WebhookSink implements AlertSink {
  readonly name = 'webhook';
  readonly #o: WebhookSinkOptions;
  readonly #inFlight = new InFlight();

  constructor(options: WebhookSinkOptions) {
    this.#o = options;
  }

  send(notice: AlertNotice): Promise<boolean> {
    return this.#inFlight.track(this.#deliver(notice));
  }

  close(graceMs: number): Promise<void> {
    return this.#inFlight.drain(this.#o.clock, graceMs);
  }

  /** The JSON body for a notice: AgentAlertBody, a documented schema receivers rely on. */
  payload(notice: AlertNotice): AgentAlertBody {
    if (notice.kind === 'single') return this.#alertPayload(notice.alert);
    return {
      source: 'vigil-agent',
      host: this.#o.host,
      status: 'firing',
      severity: notice.severity,
      storm: true,
      checks: notice.alerts.map((a) => a.check),
      summary: notice.summary,
      labels: {},
      startsAt: iso(Math.min(...notice.alerts.map((a) => a.startsAt))),
      alerts: notice.alerts.map((a) => this.#alertPayload(a)),
    };
  }

  #deliver(notice: AlertNotice): Promise<boolean> {
    const { url, clock, delivery, logger } = this.#o;
    const body = this.payload(notice);
    const checks = 'storm' in body ? body.checks : [body.check];
    const signal = this.#inFlight.signal;
    return deliverAlert({ sink: this.name, url, body, checks, signal, clock, delivery, logger });
  }

  #alertPayload(alert: Alert): Extract<AgentAlertBody, { check: string }> {
    return {
      source: 'vigil-agent',
      host: this.#o.host,
      status: alert.status,
      severity: alert.severity,
      check: alert.check,
      summary: alert.summary,
      labels: alert.labels,
      startsAt: iso(alert.startsAt),
      ...(alert.endsAt === undefined ? {} : { endsAt: iso(alert.endsAt) }),
    };
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

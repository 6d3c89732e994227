/**
 * The watchdog's own alerting, for when the agent is down and cannot alert: a configured command
 * (program and arguments, no shell; the alert as JSON on stdin, with a timeout) and/or a webhook
 * POST delivered as the agent's alerts are (shared deliverJson). Failures are logged, never thrown: an alert that cannot be
 * delivered must not disturb recovery.
 */

import {
  type Clock,
  DEFAULT_DELIVERY,
  type DeliveryOptions,
  deliverJson,
  type Logger,
  systemClock,
  type WatchdogAlertBody,
} from '@vigil/shared';
import { execa } from 'execa';

/** The webhook's body and the command's stdin: a documented schema receivers rely on. */
export type AlertPayload = WatchdogAlertBody;

export interface AlerterOptions {
  command?: readonly string[] | undefined;
  webhook?: string | undefined;
  timeoutMs: number;
  logger: Logger;
  retries?: number;
  clock?: Clock;
  /** Tests shorten the backoff. */
  delivery?: Partial<DeliveryOptions>;
}

export class Alerter {
  readonly #o: AlerterOptions;
  #inFlight = new Set<Promise<void>>();

  constructor(options: AlerterOptions) {
    this.#o = options;
  }

  get configured(): boolean {
    return Boolean(this.#o.command?.length || this.#o.webhook);
  }

  send(payload: AlertPayload): void {
    if (this.#o.command?.length) this.#track(this.#runCommand(payload));
    if (this.#o.webhook) this.#track(this.#post(this.#o.webhook, payload));
  }

  /** Waits for deliveries in progress (at shutdown), at most `timeoutMs`. */
  async drain(timeoutMs = this.#o.timeoutMs): Promise<void> {
    await Promise.race([
      Promise.allSettled([...this.#inFlight]),
      new Promise((r) => setTimeout(r, timeoutMs).unref()),
    ]);
  }

  #track(delivery: Promise<void>): void {
    this.#inFlight.add(delivery);
    void delivery.finally(() => this.#inFlight.delete(delivery));
  }

  async #runCommand(payload: AlertPayload): Promise<void> {
    const [file, ...args] = this.#o.command as string[];
    const result = await execa(file as string, args, {
      input: `${JSON.stringify(payload)}\n`,
      timeout: this.#o.timeoutMs,
      reject: false,
      env: {
        VIGIL_ALERT_KIND: payload.kind,
        VIGIL_INCIDENT: payload.incidentId,
        VIGIL_DETAIL: payload.detail,
      },
    });
    if (result.failed) {
      this.#o.logger.error(
        { command: this.#o.command, exitCode: result.exitCode, timedOut: result.timedOut },
        'alert command failed',
      );
    } else {
      this.#o.logger.info({ kind: payload.kind, incidentId: payload.incidentId }, 'alert command ran');
    }
  }

  async #post(url: string, payload: AlertPayload): Promise<void> {
    // The same delivery as the agent's alerts: a deadline per attempt, vigil's backoff, a 4xx given up.
    const failed = await deliverJson(url, payload, {
      clock: this.#o.clock ?? systemClock,
      delivery: {
        ...DEFAULT_DELIVERY,
        timeoutMs: this.#o.timeoutMs,
        retries: this.#o.retries ?? DEFAULT_DELIVERY.retries,
        ...this.#o.delivery,
      },
    });
    if (failed) this.#o.logger.error({ url, err: failed.message }, 'alert webhook failed after retries');
    else
      this.#o.logger.info({ kind: payload.kind, incidentId: payload.incidentId }, 'alert webhook delivered');
  }
}

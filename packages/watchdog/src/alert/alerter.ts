/**
 * The watchdog's own alerting, for when the agent is down and cannot alert: a configured command
 * (program and arguments, no shell; the alert as JSON on stdin, with a timeout) and/or a webhook
 * POST delivered as the agent's alerts are (shared deliverJson). Failures are logged, never thrown: an alert that cannot be
 * delivered must not disturb recovery.
 */

import { spawn } from 'node:child_process';
import {
  type Clock,
  DEFAULT_DELIVERY,
  type DeliveryOptions,
  deliverJson,
  type Logger,
  systemClock,
  type WatchdogAlertBody,
} from '@vigil/shared';

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
    const outcome = await runWithInput(
      file as string,
      args,
      `${JSON.stringify(payload)}\n`,
      this.#o.timeoutMs,
      {
        ...process.env,
        VIGIL_ALERT_KIND: payload.kind,
        VIGIL_INCIDENT: payload.incidentId,
        VIGIL_DETAIL: payload.detail,
      },
    );
    if (outcome.exitCode !== 0) {
      this.#o.logger.error(
        {
          command: this.#o.command,
          exitCode: outcome.exitCode,
          timedOut: outcome.timedOut,
          err: outcome.error,
        },
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

/** Runs a program (no shell) with `input` on stdin, killed past `timeoutMs`; never rejects. */
function runWithInput(
  file: string,
  args: string[],
  input: string,
  timeoutMs: number,
  env: NodeJS.ProcessEnv,
): Promise<{ exitCode: number | null; timedOut: boolean; error?: string }> {
  return new Promise((resolve) => {
    let timedOut = false;
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(file, args, { env, stdio: ['pipe', 'ignore', 'ignore'] });
    } catch (error) {
      resolve({ exitCode: null, timedOut, error: (error as Error).message });
      return;
    }
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      resolve({ exitCode: null, timedOut, error: error.message });
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ exitCode: timedOut ? null : code, timedOut });
    });
    child.stdin?.on('error', () => {});
    child.stdin?.end(input);
  });
}

/**
 * The webhook and Alertmanager sinks `agent.alerts` asks for, kept in step with the config on
 * reload: an unchanged sink is kept (with its re-post timer and its deliveries in flight), a
 * changed one is replaced and the old one closes in the background.
 */
import type { Clock, Logger } from '@vigil/shared';
import type { Alert, AlertSink, AlertsConfig } from './alert-types.js';
import { AlertmanagerSink } from './alertmanager-sink.js';
import type { DeliveryOptions } from './delivery-options.js';
import { WebhookSink } from './webhook-sink.js';

export interface NetworkSinksContext {
  host: string;
  logger: Logger;
  clock: Clock;
  delivery: DeliveryOptions;
  repostMs: number | undefined;
  /** How long a replaced sink may finish its deliveries. */
  retireGraceMs: number;
}

export class NetworkSinks {
  readonly #context: NetworkSinksContext;
  #webhook: { key: string; sink: WebhookSink } | undefined;
  #alertmanager: { key: string; sink: AlertmanagerSink } | undefined;
  readonly #retiring = new Set<Promise<void>>();

  constructor(context: NetworkSinksContext) {
    this.#context = context;
  }

  sinks(): AlertSink[] {
    return [this.#webhook?.sink, this.#alertmanager?.sink].filter((s) => s !== undefined);
  }

  /** Applies `agent.alerts`; `firing` are the alerts sinks hold now, handed to a new Alertmanager. */
  configure(config: AlertsConfig, firing: readonly Alert[]): void {
    const { host, logger, clock, delivery, repostMs } = this.#context;
    const webhookKey = config.webhook ?? '';
    if (webhookKey !== (this.#webhook?.key ?? '')) {
      this.#retire(this.#webhook?.sink);
      // A new webhook is not sent the incidents already open: it would page people again.
      this.#webhook = config.webhook
        ? { key: webhookKey, sink: new WebhookSink({ url: config.webhook, host, logger, clock, delivery }) }
        : undefined;
    }
    const amKey = config.alertmanager ? JSON.stringify(config.alertmanager) : '';
    if (amKey !== (this.#alertmanager?.key ?? '')) {
      this.#retire(this.#alertmanager?.sink);
      this.#alertmanager = undefined;
      if (config.alertmanager) {
        const { url, labels } = config.alertmanager;
        const sink = new AlertmanagerSink({ url, labels, host, logger, clock, delivery, repostMs });
        // Alertmanager de-duplicates by labels, so handing it what is firing cannot page twice.
        sink.adopt(firing);
        this.#alertmanager = { key: amKey, sink };
      }
    }
  }

  async close(graceMs: number): Promise<void> {
    const sinks = this.sinks();
    this.#webhook = undefined;
    this.#alertmanager = undefined;
    await Promise.all([...sinks.map((s) => s.close(graceMs)), ...this.#retiring]);
  }

  #retire(sink: AlertSink | undefined): void {
    if (!sink) return;
    const closing = sink.close(this.#context.retireGraceMs);
    this.#retiring.add(closing);
    void closing.finally(() => this.#retiring.delete(closing));
  }
}

/**
 * The receiver at the end of the fleet run: Alertmanager's webhook posts land here, and each
 * alert of each notification is kept with the receiver it was sent to.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface NotifiedAlert {
  receiver: string;
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  startsAt: string;
  /** Monotonic ms when it arrived. */
  at: number;
}

interface WebhookBody {
  receiver: string;
  alerts: { status: 'firing' | 'resolved'; labels: Record<string, string>; startsAt: string }[];
}

export class WebhookReceiver {
  readonly notified: NotifiedAlert[] = [];
  readonly #server: Server;

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(): Promise<WebhookReceiver> {
    const server = createServer();
    const receiver = new WebhookReceiver(server);
    server.on('request', (request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      request.on('end', () => {
        try {
          const parsed = JSON.parse(body) as WebhookBody;
          for (const alert of parsed.alerts) {
            receiver.notified.push({
              receiver: parsed.receiver,
              status: alert.status,
              labels: alert.labels,
              startsAt: alert.startsAt,
              at: performance.now(),
            });
          }
          response.writeHead(200).end();
        } catch {
          response.writeHead(400).end();
        }
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return receiver;
  }

  get url(): string {
    const { port } = this.#server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** Notifications of `alertname` (with `status`, for `instance` when given). */
  find(alertname: string, status?: 'firing' | 'resolved', instance?: string): NotifiedAlert[] {
    return this.notified.filter(
      (n) =>
        n.labels.alertname === alertname &&
        (status === undefined || n.status === status) &&
        (instance === undefined || n.labels.instance === instance),
    );
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}

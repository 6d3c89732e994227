/**
 * A real HTTP server on loopback that records each request's JSON body and answers with the
 * statuses it is told to, in order (then 200).
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  body: unknown;
}

export class HttpReceiver {
  readonly requests: ReceivedRequest[] = [];
  /** Statuses for the next requests, in order; 200 once it is empty. */
  readonly statuses: number[] = [];
  readonly #server: Server;

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(): Promise<HttpReceiver> {
    let receiver: HttpReceiver | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        receiver?.requests.push({
          method: req.method ?? '',
          path: req.url ?? '',
          body: text ? JSON.parse(text) : null,
        });
        const status = receiver?.statuses.shift() ?? 200;
        res
          .writeHead(status, { 'content-type': 'text/plain' })
          .end(status === 200 ? 'ok' : `status ${status}`);
      });
    });
    receiver = new HttpReceiver(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return receiver;
  }

  /** The JSON body of the index-th request; throws when there is no such request. */
  bodyOf<T>(index: number): T {
    const request = this.requests[index];
    if (!request) throw new Error(`no request #${index}; got ${this.requests.length}`);
    return request.body as T;
  }

  get url(): string {
    const { port } = this.#server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

/** A loopback port nothing listens on: one that was just free. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

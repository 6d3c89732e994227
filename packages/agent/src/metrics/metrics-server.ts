/**
 * Serves the agent's metrics in the Prometheus text format on a loopback port (default
 * 127.0.0.1:9464). A port already in use is logged and the agent carries on without metrics:
 * observability must never take the agent down. It is also handed to `onProblem`, which the
 * agent sends in its heartbeats, so `vigil status` shows it (a second pair on one host).
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@vigil/shared';
import type { Registry } from 'prom-client';

export function parseListen(listen: string): { host: string; port: number } {
  const at = listen.lastIndexOf(':');
  return { host: listen.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(listen.slice(at + 1)) };
}

function bindProblem(listen: string, error: NodeJS.ErrnoException): string {
  if (error.code === 'EADDRINUSE') {
    return `metrics not served: ${listen} is in use by another process (a second vigil pair on this host?); set agent.metrics.listen to a free port`;
  }
  return `metrics not served on ${listen}: ${error.code ?? error.message}; check agent.metrics.listen`;
}

/** More read-only pages on the same listener (the status page): true when it answered. */
export interface ExtraPages {
  handle(request: IncomingMessage, response: ServerResponse): boolean;
  close(): void;
}

export class MetricsServer {
  readonly #registry: Registry;
  readonly #logger: Logger;
  readonly #onProblem: (text: string | null) => void;
  readonly #pages: ExtraPages | undefined;
  #server: Server | undefined;
  #listen: string | undefined;

  constructor(
    registry: Registry,
    logger: Logger,
    onProblem: (text: string | null) => void = () => {},
    pages?: ExtraPages,
  ) {
    this.#registry = registry;
    this.#logger = logger;
    this.#onProblem = onProblem;
    this.#pages = pages;
  }

  /** The bound address, e.g. 127.0.0.1:9464 (useful with port 0). */
  get address(): string | undefined {
    const address = this.#server?.address() as AddressInfo | null | undefined;
    if (!address) return undefined;
    return address.family === 'IPv6'
      ? `[${address.address}]:${address.port}`
      : `${address.address}:${address.port}`;
  }

  /**
   * (Re)binds when `listen` changed; `undefined` stops serving. At start a bind failure is
   * logged and the agent goes on without metrics; on a config reload (`strict`) it throws, so
   * the change is rolled back and the old address keeps serving.
   */
  async listen(listen: string | undefined, options: { strict?: boolean } = {}): Promise<void> {
    if (listen === this.#listen && this.#server) return;
    if (!listen) {
      await this.close();
      this.#listen = undefined;
      this.#onProblem(null);
      return;
    }
    const { host, port } = parseListen(listen);
    const server = createServer((request, response) => {
      if (this.#pages?.handle(request, response)) return;
      if (request.method !== 'GET' || !request.url?.startsWith('/metrics')) {
        response
          .writeHead(request.url === '/' ? 200 : 404, { 'content-type': 'text/plain' })
          .end('vigil-agent: see /metrics\n');
        return;
      }
      this.#registry.metrics().then(
        (text) => response.writeHead(200, { 'content-type': this.#registry.contentType }).end(text),
        (error: Error) => response.writeHead(500).end(`${error.message}\n`),
      );
    });
    // The same port on another address would collide with ourselves: let go of it first (a
    // failure then throws in strict mode, and the rollback rebinds the old address).
    if (port !== 0 && this.#listen && parseListen(this.#listen).port === port) await this.close();
    try {
      server.listen(port, host);
      await once(server, 'listening');
      await this.close();
      this.#server = server;
      this.#listen = listen;
      if (!['127.0.0.1', '::1', 'localhost'].includes(host)) {
        this.#logger.warn({ listen }, 'metrics are served on a non-loopback address');
      }
      this.#logger.info({ address: this.address }, 'metrics served');
      this.#onProblem(null);
    } catch (error) {
      server.close();
      if (options.strict) throw error;
      this.#logger.error({ err: error, listen }, 'cannot serve metrics; carrying on without them');
      this.#onProblem(bindProblem(listen, error as NodeJS.ErrnoException));
    }
  }

  async close(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (!server) return;
    this.#pages?.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

/**
 * A real HTTP server for the http check: routes for status codes, bodies, slow and hanging
 * answers, big and endless bodies; and `stale()`, which makes it stop answering on every
 * connection open now while still answering new ones (a pool of dead keep-alive sockets).
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export class TestHttpServer {
  readonly server: http.Server;
  readonly requests: { path: string; stale: boolean }[] = [];
  /** Endless responses whose client went away. */
  endlessClosed = 0;
  #sockets = new Set<Socket>();
  #stale = new WeakSet<Socket>();
  #timers = new Set<NodeJS.Timeout>();

  constructor() {
    this.server = http.createServer((req, res) => this.#handle(req, res));
    this.server.keepAliveTimeout = 60_000;
    this.server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
    });
  }

  static async start(): Promise<TestHttpServer> {
    const server = new TestHttpServer();
    server.server.listen(0, '127.0.0.1');
    await once(server.server, 'listening');
    return server;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get openConnections(): number {
    return this.#sockets.size;
  }

  /** Every connection open now gets no more answers; new connections are served. */
  stale(): void {
    for (const socket of this.#sockets) this.#stale.add(socket);
  }

  async close(): Promise<void> {
    for (const timer of this.#timers) clearInterval(timer);
    for (const socket of this.#sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }

  #later(fn: () => void, ms: number, repeat = false): NodeJS.Timeout {
    const timer = repeat ? setInterval(fn, ms) : setTimeout(fn, ms);
    this.#timers.add(timer);
    return timer;
  }

  #handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const stale = this.#stale.has(req.socket);
    this.requests.push({ path: url.pathname, stale });
    if (stale) return;
    const param = (name: string) => Number(url.searchParams.get(name) ?? 0);
    switch (url.pathname) {
      case '/status':
        res.writeHead(param('code'), { location: '/ok' }).end(`status ${param('code')}`);
        return;
      case '/slow':
        this.#later(() => res.end('slow but ready'), param('ms'));
        return;
      case '/hang':
        return;
      case '/big':
        // The marker sits just past the first MiB: a reader that stops there never sees it.
        res.end(`${'a'.repeat(1024 * 1024)}MARKER`);
        return;
      case '/endless': {
        res.writeHead(200, { 'content-type': 'text/plain' });
        const chunk = `ready ${'z'.repeat(64 * 1024)}\n`;
        const timer = this.#later(() => res.write(chunk), 1, true);
        res.once('close', () => {
          clearInterval(timer);
          this.endlessClosed += 1;
        });
        return;
      }
      default:
        res.end('status: ready\n');
    }
  }
}

/**
 * A raw client connection to a Unix socket for the fuzz: writes bytes exactly as asked (one
 * write per call, awaited, so "one byte at a time" really is), keeps everything the server sends,
 * and notices when the server closes. Never throws on a reset or a broken pipe: those are the
 * server doing its job.
 */
import { createConnection, type Socket } from 'node:net';

export class RawConnection {
  readonly socket: Socket;
  readonly #received: Buffer[] = [];
  #closed = false;
  #closedAt = 0;
  #waiters = new Set<() => void>();

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#received.push(chunk);
      this.#notify();
    });
    socket.on('error', () => {});
    socket.once('close', () => {
      this.#closed = true;
      this.#closedAt = performance.now();
      this.#notify();
    });
  }

  /** Connects; rejects when the socket cannot be reached within `timeoutMs`. */
  static open(path: string, timeoutMs: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = createConnection(path);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`no connection to ${path} within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new RawConnection(socket));
      });
      socket.once('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        socket.destroy();
        reject(new Error(`cannot connect to ${path}: ${error.code ?? error.message}`));
      });
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** performance.now() when the connection closed, 0 while open. */
  get closedAt(): number {
    return this.#closedAt;
  }

  get received(): Buffer {
    return Buffer.concat(this.#received);
  }

  /** Complete lines received so far. */
  lines(): string[] {
    const text = this.received.toString('utf8');
    return text.split('\n').slice(0, -1);
  }

  /** Writes one chunk; false when the connection is gone (before or while writing). */
  write(bytes: Uint8Array): Promise<boolean> {
    if (this.#closed || this.socket.destroyed || !this.socket.writable) return Promise.resolve(false);
    return new Promise((resolve) => {
      this.socket.write(bytes, (error) => resolve(!error && !this.#closed));
    });
  }

  /** Resolves true once `predicate` holds, false at the deadline. */
  waitUntil(predicate: () => boolean, timeoutMs: number): Promise<boolean> {
    if (predicate()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const check = () => {
        if (!predicate()) return;
        done(true);
      };
      const done = (value: boolean) => {
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve(value);
      };
      const timer = setTimeout(() => done(predicate()), timeoutMs);
      this.#waiters.add(check);
    });
  }

  waitForClose(timeoutMs: number): Promise<boolean> {
    return this.waitUntil(() => this.#closed, timeoutMs);
  }

  end(): void {
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }

  #notify(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}

/**
 * The CLI's way in: `run/control.sock` (0600, every operation) and `run/status.sock` (0660 for
 * the vigil group: status and history only). One request per line, one response per line; a
 * bad request gets an error response naming the field, garbage drops the connection.
 *
 * Work done for a client must never hold up supervision, so everything is bounded: clients per
 * socket (extra connections are closed at once), requests in flight and per second on each
 * connection, output a client leaves unread (past the cap, or unread for too long, it is cut
 * off), and idle connections. Requests are started one per turn of the event loop, so a burst
 * of them interleaves with heartbeats and timers instead of running back to back, in fair turns
 * between the sockets and the connections (request-turns.ts).
 */
import type { Server, Socket } from 'node:net';
import {
  attachNdjson,
  type Clock,
  CONNECTION_REFUSAL_ID,
  type ControlResponse,
  type Logger,
  listenUnix,
  type NdjsonSocket,
  socketPresent,
  systemClock,
  type TimerHandle,
} from '@vigil/shared';
import { LogThrottle } from '../logging/log-throttle.js';
import { answerRequest, type ControlHandler, refusal, requestId } from './answer-request.js';
import { RequestRate } from './request-rate.js';
import { type Lane, RequestTurns } from './request-turns.js';

export type { ControlHandler } from './answer-request.js';

export interface ControlLimits {
  /** Connections open at once on each socket; the next one is closed at once. */
  maxClients: number;
  /** Requests one connection may have unanswered; a CLI has one. Past it: dropped. */
  maxInFlight: number;
  /** Requests per second per connection, after a burst of `burst`; past it: refused. */
  perSecond: number;
  burst: number;
  /** A connection with nothing in flight for this long is closed. */
  idleMs: number;
  /** Output a client leaves unread for this long, or past `maxQueuedBytes`, drops it. */
  stallMs: number;
  maxQueuedBytes: number;
}

export const DEFAULT_CONTROL_LIMITS: ControlLimits = {
  maxClients: 32,
  maxInFlight: 4,
  perSecond: 20,
  burst: 20,
  idleMs: 10_000,
  stallMs: 5_000,
  maxQueuedBytes: 4 * 1024 * 1024,
};

export interface ControlServerOptions {
  controlPath: string;
  statusPath: string;
  /** Mode of the run directory: 0o700, or 0o750 when a status group must reach status.sock. */
  dirMode: number;
  statusGid?: number | undefined;
  logger: Logger;
  handle: ControlHandler;
  clock?: Clock | undefined;
  limits?: Partial<ControlLimits> | undefined;
}

interface Client {
  socket: Socket;
  conn: NdjsonSocket;
  readOnly: boolean;
  rate: RequestRate;
  inFlight: number;
  /** Monotonic time of the last request or answer. */
  activeAt: number;
  /** Monotonic time since when output has been waiting for the client to read it. */
  unreadSince: number | null;
}

export class ControlServer {
  readonly #o: ControlServerOptions;
  readonly #clock: Clock;
  readonly #limits: ControlLimits;
  readonly #throttle: LogThrottle;
  readonly #servers: Server[] = [];
  readonly #clients = new Set<Client>();
  readonly #turns = new RequestTurns<Client>();
  #working = false;
  #sweep: TimerHandle | undefined;
  #closed = false;

  constructor(options: ControlServerOptions) {
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
    this.#limits = { ...DEFAULT_CONTROL_LIMITS, ...options.limits };
    this.#throttle = new LogThrottle(options.logger);
  }

  async start(): Promise<void> {
    this.#servers.push(
      await listenUnix(this.#o.controlPath, {
        mode: 0o600,
        dirMode: this.#o.dirMode,
        onConnection: (socket) => this.#accept(socket, false),
      }),
    );
    this.#servers.push(
      await listenUnix(this.#o.statusPath, {
        mode: 0o660,
        dirMode: this.#o.dirMode,
        gid: this.#o.statusGid,
        onConnection: (socket) => this.#accept(socket, true),
      }),
    );
  }

  /** Listens again when a socket file is gone (its folder was removed); true when it had to. */
  async ensureListening(): Promise<boolean> {
    if (this.#closed || this.#servers.length === 0) return false;
    if (socketPresent(this.#o.controlPath) && socketPresent(this.#o.statusPath)) return false;
    for (const server of this.#servers.splice(0)) server.close();
    await this.start();
    return true;
  }

  close(): void {
    this.#closed = true;
    for (const server of this.#servers) server.close();
    for (const client of this.#clients) client.socket.destroy();
    this.#turns.clear();
    this.#clock.clearTimeout(this.#sweep);
  }

  /** Connections open now, for tests and status. */
  get clients(): number {
    return this.#clients.size;
  }

  #accept(socket: Socket, readOnly: boolean): void {
    let open = 0;
    for (const client of this.#clients) if (client.readOnly === readOnly) open++;
    if (this.#closed || open >= this.#limits.maxClients) {
      this.#throttle.warn(
        { socket: readOnly ? 'status' : 'control', limit: this.#limits.maxClients },
        'refused a control connection: too many open',
      );
      // Said, not just closed: a client learns why and that it may retry. A few hundred bytes
      // fit the fresh socket's buffer, so the end never waits on the client.
      const busy = refusal(
        CONNECTION_REFUSAL_ID,
        `the watchdog is busy: ${this.#limits.maxClients} connections are open on its ${readOnly ? 'status' : 'control'} socket`,
        'Retry in a moment; open one connection per request and close it once answered, as `vigil` does.',
        'VIGIL_CONTROL_BUSY',
      );
      socket.on('error', () => socket.destroy());
      socket.end(`${JSON.stringify(busy)}\n`, () => socket.destroy());
      return;
    }
    const now = this.#clock.now();
    const client: Client = {
      socket,
      readOnly,
      rate: new RequestRate(this.#limits.perSecond, this.#limits.burst, now),
      inFlight: 0,
      activeAt: now,
      unreadSince: null,
      conn: attachNdjson(socket, {
        maxQueuedBytes: this.#limits.maxQueuedBytes,
        onFrameError: (error) =>
          this.#throttle.warn({ code: error.code, reason: error.message }, 'dropped a control connection'),
        onMessage: (value) => this.#onMessage(client, value),
      }),
    };
    this.#clients.add(client);
    socket.once('close', () => {
      this.#clients.delete(client);
      this.#turns.drop(lane(client), client);
    });
    this.#armSweep();
  }

  #onMessage(client: Client, value: unknown): void {
    const now = this.#clock.now();
    client.activeAt = now;
    if (client.inFlight >= this.#limits.maxInFlight) {
      this.#throttle.warn(
        { limit: this.#limits.maxInFlight },
        'dropped a control connection: too many requests in flight',
      );
      client.socket.destroy();
      return;
    }
    if (!client.rate.take(now)) {
      this.#reply(
        client,
        refusal(
          requestId(value),
          `too many requests on one connection: at most ${this.#limits.perSecond} a second`,
          'Slow down, or open one connection per request as `vigil` does.',
        ),
      );
      return;
    }
    client.inFlight++;
    this.#turns.add(lane(client), client, () => {
      if (client.socket.destroyed) return;
      void answerRequest(value, client.readOnly, this.#o.handle, this.#o.logger).then(
        (response) => {
          client.inFlight--;
          this.#reply(client, response);
        },
        (error: Error) => {
          this.#throttle.warn(
            { reason: error.message },
            'dropped a control connection: request could not be answered',
          );
          client.socket.destroy();
        },
      );
    });
    this.#startWork();
  }

  /** One request started per turn of the event loop: heartbeats and timers run in between. */
  #startWork(): void {
    if (this.#working || this.#closed) return;
    this.#working = true;
    setImmediate(() => {
      this.#working = false;
      this.#turns.next()?.();
      if (this.#turns.waiting) this.#startWork();
    });
  }

  #reply(client: Client, response: ControlResponse): void {
    if (client.socket.destroyed) return;
    client.activeAt = this.#clock.now();
    // send() drops a client whose unread output is past maxQueuedBytes.
    if (!client.conn.send(response)) {
      this.#throttle.warn({}, 'dropped a control connection: it does not read its answers');
    }
  }

  #armSweep(): void {
    if (this.#sweep || this.#closed) return;
    const every = Math.max(
      10,
      Math.min(1000, Math.floor(Math.min(this.#limits.idleMs, this.#limits.stallMs) / 2)),
    );
    this.#sweep = this.#clock.setTimeout(() => {
      this.#sweep = undefined;
      this.#sweepClients();
      if (this.#clients.size) this.#armSweep();
    }, every);
  }

  #sweepClients(): void {
    const now = this.#clock.now();
    for (const client of this.#clients) {
      const { socket } = client;
      if (socket.writableLength > 0) client.unreadSince ??= now;
      else client.unreadSince = null;
      if (client.unreadSince !== null && now - client.unreadSince > this.#limits.stallMs) {
        this.#throttle.warn(
          { queuedBytes: socket.writableLength },
          'dropped a control connection: it stopped reading',
        );
        socket.destroy();
      } else if (client.inFlight === 0 && now - client.activeAt > this.#limits.idleMs) {
        socket.destroy();
      }
    }
  }
}

function lane(client: Client): Lane {
  return client.readOnly ? 'status' : 'control';
}

/**
 * The CLI's way in: `run/control.sock` (0600, every operation) and `run/status.sock` (0660 for
 * the vigil group: status and history only). One request per line, one response per line; a
 * bad request gets an error response naming the field, garbage drops the connection.
 *
 * Work done for a client must never hold up supervision, so everything is bounded: clients per
 * socket (extra connections are closed at once), requests in flight and per second on each
 * connection, output a client leaves unread (past the cap, or unread for too long, it is cut
 * off), and idle connections. Requests are started one per turn of the event loop, so a burst
 * of them interleaves with heartbeats and timers instead of running back to back; the turns go
 * to each socket in turn and to each connection in turn, so a flood on the status socket never
 * keeps the operator's control socket waiting, nor one greedy connection the others.
 */
import type { Server, Socket } from 'node:net';
import {
  attachNdjson,
  type Clock,
  type ControlRequest,
  type ControlResponse,
  isVigilError,
  type Logger,
  listenUnix,
  type NdjsonSocket,
  PROTOCOL_VERSION,
  parseControlRequest,
  READ_ONLY_OPS,
  systemClock,
  type TimerHandle,
} from '@vigil/shared';
import { watchdogErrors } from '../errors.js';
import { LogThrottle } from '../heartbeat/log-throttle.js';
import { RequestRate } from './request-rate.js';

export type ControlHandler = (request: ControlRequest) => Promise<unknown>;

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
  /** Requests received and not yet started. */
  jobs: (() => void)[];
}

export class ControlServer {
  readonly #o: ControlServerOptions;
  readonly #clock: Clock;
  readonly #limits: ControlLimits;
  readonly #throttle: LogThrottle;
  readonly #servers: Server[] = [];
  readonly #clients = new Set<Client>();
  /** Connections with requests waiting to start, in turn order, for each socket. */
  readonly #ready: Record<'control' | 'status', Client[]> = { control: [], status: [] };
  #controlFirst = true;
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

  close(): void {
    this.#closed = true;
    for (const server of this.#servers) server.close();
    for (const client of this.#clients) client.socket.destroy();
    this.#ready.control.length = 0;
    this.#ready.status.length = 0;
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
      socket.destroy();
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
      jobs: [],
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
      client.jobs.length = 0;
      const ready = this.#ready[readOnly ? 'status' : 'control'];
      const at = ready.indexOf(client);
      if (at >= 0) ready.splice(at, 1);
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
    if (client.jobs.length === 0) this.#ready[client.readOnly ? 'status' : 'control'].push(client);
    client.jobs.push(() => {
      if (client.socket.destroyed) return;
      void this.#respond(value, client.readOnly).then(
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
      this.#next()?.();
      if (this.#ready.control.length || this.#ready.status.length) this.#startWork();
    });
  }

  /** The next request to start: the sockets take turns, and the connections on each. */
  #next(): (() => void) | undefined {
    const order = this.#controlFirst ? (['control', 'status'] as const) : (['status', 'control'] as const);
    this.#controlFirst = !this.#controlFirst;
    for (const kind of order) {
      const client = this.#ready[kind].shift();
      if (!client) continue;
      const job = client.jobs.shift();
      if (client.jobs.length) this.#ready[kind].push(client);
      return job;
    }
    return undefined;
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

  async #respond(value: unknown, readOnly: boolean): Promise<ControlResponse> {
    const id = requestId(value);
    const parsed = parseControlRequest(value);
    if (!parsed.ok)
      return refusal(id, `invalid request: ${parsed.errors.join('; ')}`, undefined, 'VIGIL_MESSAGE_INVALID');
    const request = parsed.value;
    if (readOnly && !READ_ONLY_OPS.includes(request.op)) {
      return refusal(
        id,
        `"${request.op}" is not allowed on the read-only status socket`,
        'Run it as the service user (or root), which can use the control socket.',
      );
    }
    try {
      const data = await this.#o.handle(request);
      return { v: PROTOCOL_VERSION, type: 'response', id: request.id, ok: true, data: data ?? null };
    } catch (error) {
      if (isVigilError(error)) return refusal(id, error.message, error.hint, error.code);
      this.#o.logger.error({ err: error, op: request.op }, 'control request failed');
      const unexpected = watchdogErrors.create(
        'VIGIL_OPERATOR_REFUSED',
        `"${request.op}" failed: ${(error as Error).message}`,
      );
      return refusal(id, unexpected.message, unexpected.hint);
    }
  }
}

/** The id a request carries, so even a refusal can be matched by the client. */
function requestId(value: unknown): string {
  return typeof value === 'object' && value !== null && typeof (value as { id?: unknown }).id === 'string'
    ? (value as { id: string }).id.slice(0, 64) || 'unknown'
    : 'unknown';
}

function refusal(
  id: string,
  message: string,
  hint?: string | undefined,
  code = 'VIGIL_OPERATOR_REFUSED',
): ControlResponse {
  return {
    v: PROTOCOL_VERSION,
    type: 'response',
    id,
    ok: false,
    error: { code, message, ...(hint ? { hint } : {}) },
  };
}

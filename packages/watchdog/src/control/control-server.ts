/**
 * The CLI's way in: `run/control.sock` (0600, every operation) and `run/status.sock` (0660 for
 * the vigil group: status and history only). One request per line, one response per line; a
 * bad request gets an error response naming the field, garbage drops the connection.
 */
import type { Server, Socket } from 'node:net';
import {
  attachNdjson,
  type ControlRequest,
  type ControlResponse,
  isVigilError,
  type Logger,
  listenUnix,
  PROTOCOL_VERSION,
  parseControlRequest,
  READ_ONLY_OPS,
} from '@vigil/shared';
import { watchdogErrors } from '../errors.js';
import { LogThrottle } from '../heartbeat/log-throttle.js';

export type ControlHandler = (request: ControlRequest) => Promise<unknown>;

export interface ControlServerOptions {
  controlPath: string;
  statusPath: string;
  /** Mode of the run directory: 0o700, or 0o750 when a status group must reach status.sock. */
  dirMode: number;
  statusGid?: number | undefined;
  logger: Logger;
  handle: ControlHandler;
}

export class ControlServer {
  readonly #o: ControlServerOptions;
  readonly #throttle: LogThrottle;
  readonly #servers: Server[] = [];
  readonly #sockets = new Set<Socket>();

  constructor(options: ControlServerOptions) {
    this.#o = options;
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
    for (const server of this.#servers) server.close();
    for (const socket of this.#sockets) socket.destroy();
  }

  #accept(socket: Socket, readOnly: boolean): void {
    this.#sockets.add(socket);
    socket.once('close', () => this.#sockets.delete(socket));
    // A CLI request takes milliseconds; an idle connection is a leak or an attack.
    socket.setTimeout(30_000, () => socket.destroy());
    let inFlight = 0;
    const conn = attachNdjson(socket, {
      onFrameError: (error) =>
        this.#throttle.warn({ code: error.code, reason: error.message }, 'dropped a control connection'),
      onMessage: (value) => {
        if (++inFlight > 16) {
          this.#throttle.warn({}, 'dropped a control connection: too many requests in flight');
          socket.destroy();
          return;
        }
        void this.#respond(value, readOnly).then(
          (response) => {
            inFlight--;
            conn.send(response);
          },
          (error: Error) => {
            this.#throttle.warn(
              { reason: error.message },
              'dropped a control connection: request could not be answered',
            );
            socket.destroy();
          },
        );
      },
    });
  }

  async #respond(value: unknown, readOnly: boolean): Promise<ControlResponse> {
    const id =
      typeof value === 'object' && value !== null && typeof (value as { id?: unknown }).id === 'string'
        ? (value as { id: string }).id.slice(0, 64) || 'unknown'
        : 'unknown';
    const fail = (code: string, message: string, hint?: string): ControlResponse => ({
      v: PROTOCOL_VERSION,
      type: 'response',
      id,
      ok: false,
      error: { code, message, ...(hint ? { hint } : {}) },
    });
    const parsed = parseControlRequest(value);
    if (!parsed.ok) return fail('VIGIL_MESSAGE_INVALID', `invalid request: ${parsed.errors.join('; ')}`);
    const request = parsed.value;
    if (readOnly && !READ_ONLY_OPS.includes(request.op)) {
      return fail(
        'VIGIL_OPERATOR_REFUSED',
        `"${request.op}" is not allowed on the read-only status socket`,
        'Run it as the service user (or root), which can use the control socket.',
      );
    }
    try {
      const data = await this.#o.handle(request);
      return { v: PROTOCOL_VERSION, type: 'response', id: request.id, ok: true, data: data ?? null };
    } catch (error) {
      if (isVigilError(error)) return fail(error.code, error.message, error.hint);
      this.#o.logger.error({ err: error, op: request.op }, 'control request failed');
      const unexpected = watchdogErrors.create(
        'VIGIL_OPERATOR_REFUSED',
        `"${request.op}" failed: ${(error as Error).message}`,
      );
      return fail(unexpected.code, unexpected.message, unexpected.hint);
    }
  }
}

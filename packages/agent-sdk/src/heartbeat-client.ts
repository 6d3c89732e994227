/**
 * The agent's side of the heartbeat socket: connect (and keep reconnecting, because the
 * watchdog may restart under us), say hello, wait for the welcome, then hand every valid
 * command to the owner. Never throws when the watchdog is absent; it just keeps trying.
 */
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  attachNdjson,
  type CommandMessage,
  type HelloMessage,
  type Logger,
  type NdjsonSocket,
  parseWatchdogMessage,
  type WelcomeMessage,
} from '@vigil/shared';
import { connectWithRetry } from '@vigil/shared/client';
import { sdkErrors } from './errors.js';

/** After a refused hello: long enough not to spin, short enough to notice a fixed config. */
const REFUSED_RETRY_MS = 2000;
/** A watchdog that accepts but never welcomes is as good as absent. */
const WELCOME_TIMEOUT_MS = 5000;
/** stop() waits this long for the socket to close cleanly before destroying it. */
const CLOSE_GRACE_MS = 250;

export interface HeartbeatClientEvents {
  connected: [welcome: WelcomeMessage];
  disconnected: [];
  refused: [reason: string];
  command: [command: CommandMessage];
}

export interface HeartbeatClientOptions {
  socketPath: string;
  logger: Logger;
  hello(): HelloMessage;
}

type SessionEnd = 'closed' | 'refused';

export class HeartbeatClient extends EventEmitter<HeartbeatClientEvents> {
  readonly #options: HeartbeatClientOptions;
  readonly #log: Logger;
  #abort: AbortController | undefined;
  #loop: Promise<void> | undefined;
  #conn: NdjsonSocket | undefined;
  #welcomed = false;

  constructor(options: HeartbeatClientOptions) {
    super();
    this.#options = options;
    this.#log = options.logger;
  }

  get connected(): boolean {
    return this.#welcomed && this.#conn !== undefined && !this.#conn.socket.destroyed;
  }

  start(): void {
    if (this.#abort) return;
    this.#abort = new AbortController();
    this.#loop = this.#run(this.#abort.signal).catch((error: unknown) => {
      this.#log.error({ err: error }, 'heartbeat connection loop ended unexpectedly');
    });
  }

  async stop(): Promise<void> {
    const abort = this.#abort;
    if (!abort) return;
    abort.abort();
    const socket = this.#conn?.socket;
    if (socket && !socket.destroyed) {
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      socket.end();
      const timer = setTimeout(() => socket.destroy(), CLOSE_GRACE_MS);
      await closed;
      clearTimeout(timer);
    }
    await this.#loop;
    this.#abort = undefined;
    this.#loop = undefined;
  }

  /** Sends one message when connected; false when it could not be sent. */
  send(message: unknown): boolean {
    return this.connected && (this.#conn?.send(message) ?? false);
  }

  /** Sends one message and calls `then` once it has left the process (or could not be sent). */
  sendThen(message: unknown, then: () => void): void {
    const socket = this.#conn?.socket;
    if (!this.connected || !socket?.writable) {
      setImmediate(then);
      return;
    }
    socket.write(`${JSON.stringify(message)}\n`, () => setImmediate(then));
  }

  async #run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const socket = await this.#connect(signal);
      if (!socket) return;
      const end = await this.#session(socket, signal);
      if (end === 'refused') await sleep(REFUSED_RETRY_MS, undefined, { signal }).catch(() => {});
    }
  }

  async #connect(signal: AbortSignal): Promise<Socket | undefined> {
    const { socketPath } = this.#options;
    try {
      return await connectWithRetry(socketPath, {
        minDelayMs: 50,
        // A restarted watchdog must find its agent again well within one heartbeat timeout.
        maxDelayMs: 400,
        signal,
        onAttempt: ({ attempt, error, nextDelayMs }) => {
          const fields = { socketPath, attempt, nextDelayMs, reason: error.message };
          if (attempt === 1) this.#log.info(fields, 'watchdog not reachable yet; retrying');
          else this.#log.debug(fields, 'watchdog still not reachable');
        },
      });
    } catch (error) {
      if (!signal.aborted) this.#log.error({ err: error }, 'gave up connecting to the watchdog');
      return undefined;
    }
  }

  /** One connection, from hello to close. */
  #session(socket: Socket, signal: AbortSignal): Promise<SessionEnd> {
    return new Promise<SessionEnd>((resolve) => {
      let end: SessionEnd = 'closed';
      const welcomeTimer = setTimeout(() => {
        this.#log.warn({ timeoutMs: WELCOME_TIMEOUT_MS }, 'no welcome from the watchdog; reconnecting');
        socket.destroy();
      }, WELCOME_TIMEOUT_MS);
      const conn = attachNdjson(socket, {
        onMessage: (value) => {
          const parsed = parseWatchdogMessage(value);
          if (!parsed.ok) {
            this.#log.warn({ errors: parsed.errors }, 'ignored an invalid message from the watchdog');
            return;
          }
          const message = parsed.value;
          if (message.type === 'welcome') {
            clearTimeout(welcomeTimer);
            if (!message.accepted) end = 'refused';
            this.#onWelcome(message, socket);
          } else if (!this.#welcomed) {
            this.#log.warn({ cmd: message.cmd, id: message.id }, 'ignored a command sent before the welcome');
          } else {
            this.emit('command', message);
          }
        },
        onFrameError: (error) => this.#log.warn({ err: error }, 'bad frame from the watchdog; reconnecting'),
      });
      this.#conn = conn;
      socket.once('close', () => {
        clearTimeout(welcomeTimer);
        const wasWelcomed = this.#welcomed;
        this.#welcomed = false;
        if (this.#conn === conn) this.#conn = undefined;
        if (wasWelcomed) {
          if (!signal.aborted) this.#log.warn('lost the watchdog connection; reconnecting');
          this.emit('disconnected');
        }
        resolve(end);
      });
      conn.send(this.#options.hello());
    });
  }

  /** A refusal closes the socket; an acceptance starts the session. */
  #onWelcome(welcome: WelcomeMessage, socket: Socket): void {
    if (!welcome.accepted) {
      const reason = welcome.reason ?? 'no reason given';
      const error = sdkErrors.create('VIGIL_WELCOME_REFUSED', `the watchdog refused this agent: ${reason}`);
      this.#log.warn({ err: error, retryInMs: REFUSED_RETRY_MS }, error.message);
      socket.destroy();
      this.emit('refused', reason);
      return;
    }
    const first = !this.#welcomed;
    this.#welcomed = true;
    if (first) {
      this.#log.info(
        { watchdogPid: welcome.watchdogPid, heartbeatIntervalMs: welcome.heartbeatIntervalMs },
        'connected to the watchdog',
      );
    }
    this.emit('connected', welcome);
  }
}

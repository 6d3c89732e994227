/**
 * The watchdog's end of the heartbeat protocol on `run/agent.sock`. One agent session at a time:
 * a connection becomes the session when it says hello with the supervised agent's pid. Every
 * message is validated; garbage, oversize frames, floods and strangers are dropped one
 * connection at a time, never disturbing the session or the watchdog.
 */
import type { Server, Socket } from 'node:net';
import {
  attachNdjson,
  type Clock,
  type CommandMessage,
  type HeartbeatMessage,
  type HelloMessage,
  type Logger,
  listenUnix,
  type NdjsonSocket,
  PROTOCOL_VERSION,
  parseAgentMessage,
  type ResultMessage,
  socketPresent,
  systemClock,
} from '@vigil/shared';
import { LogThrottle } from '../logging/log-throttle.js';

export interface AgentSession {
  readonly id: number;
  readonly hello: HelloMessage;
  readonly connectedAt: number;
}

export interface HeartbeatServerEvents {
  onHello(session: AgentSession): void;
  onHeartbeat(session: AgentSession, heartbeat: HeartbeatMessage): void;
  onResult(session: AgentSession, result: ResultMessage): void;
  onSessionClosed(session: AgentSession): void;
}

export interface HeartbeatServerOptions extends HeartbeatServerEvents {
  path: string;
  heartbeatIntervalMs: number;
  logger: Logger;
  /** Whether a hello's pid is the agent this watchdog supervises; a reason when not. */
  admit(pid: number): string | undefined;
  /** A connection that has not said hello within this time is dropped. */
  helloTimeoutMs?: number;
  /** Monotonic time for the flood limit (a wall-clock step must not look like a flood). */
  clock?: Clock;
  /** Sustained rate allowed; a peer may burst up to `burstSeconds` of it (beats queued while the watchdog was paused). */
  maxMessagesPerSecond?: number;
  burstSeconds?: number;
  maxInvalidMessages?: number;
}

interface Peer {
  conn: NdjsonSocket;
  session: AgentSession | undefined;
  invalid: number;
  /** Token bucket: messages the peer may still send now, refilled at the allowed rate. */
  tokens: number;
  refilledAt: number;
}

let nextSessionId = 1;

export class HeartbeatServer {
  readonly #options: HeartbeatServerOptions;
  readonly #clock: Clock;
  readonly #throttle: LogThrottle;
  readonly #peers = new Set<Peer>();
  #server: Server | undefined;
  #session: { peer: Peer; session: AgentSession } | undefined;
  /** Connections dropped for misbehaving, for status and tests. */
  dropped = 0;

  constructor(options: HeartbeatServerOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#throttle = new LogThrottle(options.logger, 5, 10_000, this.#clock);
  }

  async start(): Promise<void> {
    this.#server = await listenUnix(this.#options.path, {
      mode: 0o600,
      onConnection: (socket) => this.#accept(socket),
    });
  }

  /**
   * Listens again when the socket file is gone (its folder was removed): the session and every
   * open connection stay; new agents can connect again. True when it had to.
   */
  async ensureListening(): Promise<boolean> {
    if (!this.#server || socketPresent(this.#options.path)) return false;
    this.#server.close();
    await this.start();
    return true;
  }

  session(): AgentSession | undefined {
    return this.#session?.session;
  }

  /** Sends a command; the session is read again at once, since an answer is coming. */
  send(command: CommandMessage): boolean {
    if (!this.#session) return false;
    this.#session.peer.conn.wake();
    return this.#session.peer.conn.send(command);
  }

  /**
   * Reads what queued on the session's socket: at once when it rests (synchronously, and it
   * keeps resting), else what the loop has not read yet comes in its next turn, before the
   * turn's setImmediate callbacks. True when all of it was read and handled before returning.
   */
  flow(): boolean {
    return this.#session?.peer.conn.drain() ?? false;
  }

  /**
   * Stops reading the session's socket until `flow`: beats queue in the kernel (a few hundred
   * bytes each; the socket buffer holds minutes of them) and are read when a look is due, so a
   * healthy agent costs no wakeup per beat. They carry their own send time, so their age is
   * known however late they are read. The session closing is seen at the next look, too; the
   * agent's exit is the launcher's to see, not the socket's.
   */
  hold(): void {
    this.#session?.peer.conn.rest();
  }

  /** Ends the current session (e.g. the agent it belongs to was stopped). */
  dropSession(): void {
    this.#session?.peer.conn.socket.destroy();
  }

  close(): void {
    this.#server?.close();
    for (const peer of this.#peers) peer.conn.socket.destroy();
  }

  #accept(socket: Socket): void {
    const peer: Peer = {
      session: undefined,
      invalid: 0,
      tokens: this.#rate(),
      refilledAt: this.#clock.now(),
      conn: attachNdjson(socket, {
        onMessage: (value) => this.#onMessage(peer, value),
        onFrameError: (error) => this.#drop(peer, error.message, { code: error.code }),
      }),
    };
    this.#peers.add(peer);
    const helloTimer = setTimeout(() => {
      if (!peer.session) this.#drop(peer, 'no hello in time');
    }, this.#options.helloTimeoutMs ?? 5000);
    helloTimer.unref();
    socket.once('close', () => {
      clearTimeout(helloTimer);
      this.#peers.delete(peer);
      if (this.#session?.peer === peer) {
        const { session } = this.#session;
        this.#session = undefined;
        this.#options.onSessionClosed(session);
      }
    });
  }

  #drop(peer: Peer, reason: string, fields: Record<string, unknown> = {}): void {
    if (peer.conn.socket.destroyed) return;
    this.dropped++;
    this.#throttle.warn(
      { ...fields, reason, session: peer.session?.id, agentPid: peer.session?.hello.pid },
      'dropped a connection on the agent socket',
    );
    peer.conn.socket.destroy();
  }

  #rate(): number {
    return this.#options.maxMessagesPerSecond ?? 200;
  }

  /**
   * A token bucket on monotonic time: a flood is a sustained rate over the limit, while a burst
   * of what queued during the watchdog's own pause (up to `burstSeconds` of the rate) is not.
   */
  #overRate(peer: Peer): boolean {
    const now = this.#clock.now();
    const capacity = this.#rate() * (this.#options.burstSeconds ?? 10);
    peer.tokens = Math.min(capacity, peer.tokens + ((now - peer.refilledAt) / 1000) * this.#rate());
    peer.refilledAt = now;
    if (peer.tokens < 1) return true;
    peer.tokens -= 1;
    return false;
  }

  #onMessage(peer: Peer, value: unknown): void {
    if (this.#overRate(peer)) return this.#drop(peer, 'message flood');
    const parsed = parseAgentMessage(value);
    if (!parsed.ok) {
      this.#throttle.warn(
        { errors: parsed.errors, session: peer.session?.id },
        'invalid message on the agent socket',
      );
      if (++peer.invalid > (this.#options.maxInvalidMessages ?? 20))
        this.#drop(peer, 'too many invalid messages');
      return;
    }
    const message = parsed.value;
    if (message.type === 'hello') return this.#onHello(peer, message);
    if (!peer.session) return this.#drop(peer, `${message.type} before hello`);
    if (message.type === 'heartbeat') this.#options.onHeartbeat(peer.session, message);
    else this.#options.onResult(peer.session, message);
  }

  #welcome(peer: Peer, accepted: boolean, reason?: string): void {
    peer.conn.send({
      v: PROTOCOL_VERSION,
      type: 'welcome',
      accepted,
      ...(reason ? { reason } : {}),
      watchdogPid: process.pid,
      heartbeatIntervalMs: this.#options.heartbeatIntervalMs,
    });
  }

  #onHello(peer: Peer, hello: HelloMessage): void {
    if (peer.session) return this.#drop(peer, 'second hello on one connection');
    const current = this.#session;
    let refusal = this.#options.admit(hello.pid);
    if (!refusal && current && current.session.hello.pid !== hello.pid) {
      refusal = `another agent (pid ${current.session.hello.pid}) holds the session`;
    }
    if (refusal) {
      this.#throttle.warn({ agentPid: hello.pid, reason: refusal }, 'refused a hello on the agent socket');
      this.#welcome(peer, false, refusal);
      peer.conn.socket.end();
      return;
    }
    // The same agent reconnecting replaces its old connection (it may not have noticed it died).
    if (current) {
      this.#session = undefined;
      current.peer.conn.socket.destroy();
    }
    const session: AgentSession = { id: nextSessionId++, hello, connectedAt: this.#clock.now() };
    peer.session = session;
    this.#session = { peer, session };
    this.#welcome(peer, true);
    this.#options.onHello(session);
  }
}

/**
 * Plays the watchdog's side of the heartbeat socket over a real Unix socket: records what the
 * agent sends, welcomes (or refuses) it, and sends commands.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server, Socket } from 'node:net';
import { join } from 'node:path';
import {
  type AgentMessage,
  attachNdjson,
  type CommandMessage,
  type HeartbeatMessage,
  type HelloMessage,
  listenUnix,
  type NdjsonSocket,
  PROTOCOL_VERSION,
  parseAgentMessage,
  type ResultMessage,
} from '@vigil/shared';
import { waitFor } from '@vigil/shared/testing';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type CommandBody = DistributiveOmit<CommandMessage, 'v' | 'type' | 'id'>;

export interface Received {
  at: number;
  message: AgentMessage;
}

export class FakeWatchdog {
  readonly dir: string;
  readonly path: string;
  readonly received: Received[] = [];
  readonly invalid: string[][] = [];
  /** Each accepted connection, in order. */
  readonly sockets: Socket[] = [];
  /** When set, hellos are answered with a refusal carrying this reason. */
  refuse: string | undefined;
  heartbeatIntervalMs = 50;
  #server: Server | undefined;
  #conns: NdjsonSocket[] = [];
  #current: NdjsonSocket | undefined;

  constructor(prefix = 'vg-agent-') {
    this.dir = mkdtempSync(join('/tmp', prefix));
    this.path = join(this.dir, 'a.sock');
  }

  static async start(prefix?: string): Promise<FakeWatchdog> {
    const watchdog = new FakeWatchdog(prefix);
    await watchdog.listen();
    return watchdog;
  }

  async listen(): Promise<void> {
    this.#server = await listenUnix(this.path, { onConnection: (socket) => this.#accept(socket) });
  }

  /** Stops listening and drops every connection, as a watchdog that died would. */
  async close(): Promise<void> {
    for (const conn of this.#conns) conn.socket.destroy();
    this.#conns = [];
    this.#current = undefined;
    const server = this.#server;
    this.#server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  async dispose(): Promise<void> {
    await this.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  get hellos(): HelloMessage[] {
    return this.#ofType('hello');
  }

  get heartbeats(): HeartbeatMessage[] {
    return this.#ofType('heartbeat');
  }

  get results(): ResultMessage[] {
    return this.#ofType('result');
  }

  /** Heartbeats with their arrival time (Date.now()). */
  get beats(): { at: number; beat: HeartbeatMessage }[] {
    return this.received
      .filter((r) => r.message.type === 'heartbeat')
      .map((r) => ({ at: r.at, beat: r.message as HeartbeatMessage }));
  }

  /** Heartbeats that arrived after the result of command `id`, and when that result arrived. */
  afterResult(id: string): { resultAt: number; beats: { at: number; beat: HeartbeatMessage }[] } | undefined {
    const index = this.received.findIndex((r) => r.message.type === 'result' && r.message.id === id);
    const result = this.received[index];
    if (!result) return undefined;
    const beats = this.received
      .slice(index + 1)
      .filter((r) => r.message.type === 'heartbeat')
      .map((r) => ({ at: r.at, beat: r.message as HeartbeatMessage }));
    return { resultAt: result.at, beats };
  }

  /** Sends a command on the latest welcomed connection; returns its id. */
  send(body: CommandBody): string {
    const id = randomUUID();
    if (!this.#current) throw new Error('no agent connected');
    this.#current.send({ v: PROTOCOL_VERSION, type: 'command', id, ...body });
    return id;
  }

  sendRaw(value: unknown): void {
    if (!this.#current) throw new Error('no agent connected');
    this.#current.send(value);
  }

  async command(body: CommandBody, timeoutMs = 5000): Promise<ResultMessage> {
    const id = this.send(body);
    return this.result(id, timeoutMs);
  }

  result(id: string, timeoutMs = 5000): Promise<ResultMessage> {
    return waitFor(() => this.results.find((r) => r.id === id), timeoutMs, `result ${id}`);
  }

  waitForHellos(count: number, timeoutMs = 5000): Promise<HelloMessage[]> {
    return waitFor(() => this.hellos.length >= count && this.hellos, timeoutMs, `${count} hello(s)`);
  }

  waitForBeats(count: number, timeoutMs = 5000): Promise<HeartbeatMessage[]> {
    return waitFor(
      () => this.heartbeats.length >= count && this.heartbeats,
      timeoutMs,
      `${count} heartbeats`,
    );
  }

  /** Waits for a heartbeat that arrives after now and satisfies the predicate. */
  nextBeat(predicate: (beat: HeartbeatMessage) => boolean = () => true, timeoutMs = 5000) {
    const from = this.received.length;
    return waitFor(
      () =>
        this.received
          .slice(from)
          .map((r) => r.message)
          .find((m): m is HeartbeatMessage => m.type === 'heartbeat' && predicate(m)),
      timeoutMs,
      'a matching heartbeat',
    );
  }

  #ofType<T extends AgentMessage>(type: T['type']): T[] {
    return this.received.filter((r) => r.message.type === type).map((r) => r.message as T);
  }

  #accept(socket: Socket): void {
    this.sockets.push(socket);
    const conn: NdjsonSocket = attachNdjson(socket, {
      onMessage: (value) => {
        const parsed = parseAgentMessage(value);
        if (!parsed.ok) {
          this.invalid.push(parsed.errors);
          return;
        }
        this.received.push({ at: Date.now(), message: parsed.value });
        if (parsed.value.type === 'hello') this.#welcome(conn);
      },
    });
    this.#conns.push(conn);
  }

  #welcome(conn: NdjsonSocket): void {
    const welcome = {
      v: PROTOCOL_VERSION,
      type: 'welcome',
      accepted: this.refuse === undefined,
      watchdogPid: process.pid,
      heartbeatIntervalMs: this.heartbeatIntervalMs,
      ...(this.refuse === undefined ? {} : { reason: this.refuse }),
    };
    conn.send(welcome);
    if (this.refuse === undefined) this.#current = conn;
  }
}

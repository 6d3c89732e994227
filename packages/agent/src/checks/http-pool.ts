/**
 * The keep-alive connection pool every HTTP check shares: one agent for http, one for https.
 * A pooled socket can go bad without being closed (a proxy or NAT that forgot it, a server that
 * stopped answering on old connections); `reset` is the soft rung's cure: drop every pooled
 * connection and start over with fresh agents.
 */
import http from 'node:http';
import https from 'node:https';

const AGENT_OPTIONS = { keepAlive: true, maxSockets: 16, maxFreeSockets: 16, scheduling: 'lifo' } as const;

function countSockets(agent: http.Agent): number {
  let count = 0;
  for (const list of [...Object.values(agent.sockets), ...Object.values(agent.freeSockets)]) {
    // An aborted request's socket is destroyed at once but leaves the pool only on 'close'.
    for (const socket of list ?? []) if (!socket.destroyed) count += 1;
  }
  return count;
}

export class HttpPool {
  #http = new http.Agent(AGENT_OPTIONS);
  #https = new https.Agent(AGENT_OPTIONS);

  get http(): http.Agent {
    return this.#http;
  }

  get https(): https.Agent {
    return this.#https;
  }

  /** Open connections, in use or idle. */
  get size(): number {
    return countSockets(this.#http) + countSockets(this.#https);
  }

  /** Destroys every pooled connection and starts fresh agents; says how many it closed. */
  reset(): string {
    const closed = this.size;
    this.destroy();
    this.#http = new http.Agent(AGENT_OPTIONS);
    this.#https = new https.Agent(AGENT_OPTIONS);
    return `closed ${closed} pooled connection${closed === 1 ? '' : 's'}`;
  }

  destroy(): void {
    this.#http.destroy();
    this.#https.destroy();
  }
}

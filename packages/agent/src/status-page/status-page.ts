/**
 * The read-only status page on the agent's metrics listener: `/` (the page), `/status.json`
 * (what `vigil status --json` prints, from the watchdog's status file), `/history.json` (the
 * last day's incidents) and `/events` (server-sent events: a `status` event whenever the status
 * file changes). GET only, nothing that acts on the pair, so it needs no auth on loopback.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readLastDay, readPairStatus } from './pair-files.js';
import { PAGE_CSS, PAGE_HTML, PAGE_JS } from './status-page-assets.js';

const POLL_MS = 500;
/** Each open page holds a connection: a bounded few, so a tab storm cannot grow the agent. */
const MAX_EVENT_CLIENTS = 16;
const KEEPALIVE_MS = 15_000;
/** A page that stops reading is dropped once this much waits for it: it cannot grow the agent. */
const MAX_UNREAD_BYTES = 256 * 1024;

// The page's script and style are files of its own, so the policy can forbid every inline one.
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

export interface StatusPageFiles {
  statusFile: string;
  historyFile: string;
}

export class StatusPage {
  readonly #files: StatusPageFiles;
  readonly #clients = new Set<ServerResponse>();
  #timer: NodeJS.Timeout | undefined;
  #keepalive: NodeJS.Timeout | undefined;
  #lastText = '';
  #generation = 0;

  constructor(files: StatusPageFiles) {
    this.#files = files;
  }

  /** Answers the page's paths; false for any other (the metrics server answers those). */
  handle(request: IncomingMessage, response: ServerResponse): boolean {
    const path = (request.url ?? '/').split('?')[0];
    const route = ROUTES[path ?? ''];
    if (!route) return false;
    if (!trustedHost(request.headers.host)) {
      // A name other than localhost may be a DNS-rebinding page reading this one from a browser.
      response
        .writeHead(421, { 'content-type': 'text/plain' })
        .end('open the status page as localhost or by IP address (e.g. through an SSH tunnel)\n');
      return true;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('read-only\n');
      return true;
    }
    route(this, response);
    return true;
  }

  async statusJson(response: ServerResponse): Promise<void> {
    const read = await readPairStatus(this.#files.statusFile);
    const body = read.ok ? read.text : JSON.stringify({ reachable: false, error: read.reason });
    response
      .writeHead(read.ok ? 200 : 503, { ...SECURITY_HEADERS, 'content-type': 'application/json' })
      .end(body);
  }

  async historyJson(response: ServerResponse): Promise<void> {
    const incidents = await readLastDay(this.#files.historyFile);
    response
      .writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'application/json' })
      .end(JSON.stringify(incidents));
  }

  events(response: ServerResponse): void {
    if (this.#clients.size >= MAX_EVENT_CLIENTS) {
      response
        .writeHead(503, { 'content-type': 'text/plain', 'retry-after': '5' })
        .end('too many open pages\n');
      return;
    }
    response.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream',
      connection: 'keep-alive',
    });
    response.write('retry: 2000\n\n');
    this.#clients.add(response);
    response.on('close', () => {
      this.#clients.delete(response);
      if (this.#clients.size === 0) this.#idle();
    });
    // A new page gets the current status at once, then each change.
    if (this.#lastText) send(response, frame(this.#lastText));
    this.#watch();
  }

  /** Ends every open event stream (the agent is stopping). */
  close(): void {
    for (const client of this.#clients) client.end();
    this.#clients.clear();
    this.#idle();
  }

  #watch(): void {
    if (this.#timer) return;
    // One chain of polls at a time: a chain started before an idle spell ends at its next turn.
    const generation = ++this.#generation;
    const poll = async (): Promise<void> => {
      try {
        const read = await readPairStatus(this.#files.statusFile);
        const text = read.ok ? read.text : JSON.stringify({ reachable: false, error: read.reason });
        if (generation !== this.#generation) return;
        if (text !== this.#lastText) {
          this.#lastText = text;
          const event = frame(text);
          for (const client of this.#clients) send(client, event);
        }
      } catch {
        // The page is a view: nothing it reads may take the agent down.
      }
      if (generation !== this.#generation) return;
      if (this.#clients.size > 0) this.#timer = setTimeout(() => void poll(), POLL_MS);
      else this.#timer = undefined;
    };
    this.#timer = setTimeout(() => void poll(), 0);
    this.#keepalive ??= setInterval(() => {
      for (const client of this.#clients) send(client, ': keepalive\n\n');
    }, KEEPALIVE_MS);
  }

  #idle(): void {
    this.#generation++;
    clearTimeout(this.#timer);
    clearInterval(this.#keepalive);
    this.#timer = undefined;
    this.#keepalive = undefined;
    this.#lastText = '';
  }
}

/** Writes to an event stream, or drops a client that has stopped reading. */
export function send(
  client: Pick<ServerResponse, 'writableLength' | 'destroy' | 'write'>,
  text: string,
): void {
  if (client.writableLength > MAX_UNREAD_BYTES) {
    client.destroy();
    return;
  }
  client.write(text);
}

/** localhost, or an address literal: names that a DNS-rebinding page cannot take over. */
export function trustedHost(host: string | undefined): boolean {
  if (!host) return false;
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d+$/, '');
  if (name === 'localhost' || name.startsWith('[')) return true;
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(name);
}

/** One SSE event; the JSON is one line, so no `data:` line can be forged by its content. */
function frame(json: string): string {
  return `event: status\ndata: ${JSON.stringify(JSON.parse(json))}\n\n`;
}

function asset(type: string, body: string) {
  return (_page: StatusPage, response: ServerResponse) =>
    response.writeHead(200, { ...SECURITY_HEADERS, 'content-type': type }).end(body);
}

const ROUTES: Record<string, (page: StatusPage, response: ServerResponse) => void> = {
  '/': asset('text/html; charset=utf-8', PAGE_HTML),
  '/status-page.js': asset('text/javascript; charset=utf-8', PAGE_JS),
  '/status-page.css': asset('text/css; charset=utf-8', PAGE_CSS),
  '/status.json': (page, response) => void page.statusJson(response),
  '/history.json': (page, response) => void page.historyJson(response),
  '/events': (page, response) => page.events(response),
};

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

  constructor(files: StatusPageFiles) {
    this.#files = files;
  }

  /** Answers the page's paths; false for any other (the metrics server answers those). */
  handle(request: IncomingMessage, response: ServerResponse): boolean {
    const path = (request.url ?? '/').split('?')[0];
    const route = ROUTES[path ?? ''];
    if (!route) return false;
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
    if (this.#lastText) response.write(frame(this.#lastText));
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
    const poll = async (): Promise<void> => {
      const read = await readPairStatus(this.#files.statusFile);
      const text = read.ok ? read.text : JSON.stringify({ reachable: false, error: read.reason });
      if (text !== this.#lastText) {
        this.#lastText = text;
        for (const client of this.#clients) client.write(frame(text));
      }
      if (this.#clients.size > 0) this.#timer = setTimeout(() => void poll(), POLL_MS);
      else this.#timer = undefined;
    };
    this.#timer = setTimeout(() => void poll(), 0);
    this.#keepalive ??= setInterval(() => {
      for (const client of this.#clients) client.write(': keepalive\n\n');
    }, KEEPALIVE_MS);
  }

  #idle(): void {
    clearTimeout(this.#timer);
    clearInterval(this.#keepalive);
    this.#timer = undefined;
    this.#keepalive = undefined;
    this.#lastText = '';
  }
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

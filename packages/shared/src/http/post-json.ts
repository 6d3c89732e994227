/**
 * One HTTP POST of a JSON body with a deadline on the injected clock. Any failure becomes a
 * plain Error that says what happened (p-retry retries it); a 4xx that a retry cannot fix
 * becomes GiveUp, so retrying stops at once.
 */
import type { Clock } from '../clock.js';
import { deadline } from './clock-timeouts.js';
import { GiveUp } from './retry-with-backoff.js';

export interface PostJsonOptions {
  clock: Clock;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

const BODY_EXCERPT = 200;

export async function postJson(url: string, body: unknown, options: PostJsonOptions): Promise<void> {
  const limit = deadline(options.clock, options.timeoutMs, options.signal);
  let status: number;
  let text: string;
  try {
    ({ status, text } = await post(url, JSON.stringify(body), limit.signal));
  } catch (error) {
    const what = limit.expired
      ? `timed out after ${options.timeoutMs} ms`
      : `failed: ${networkReason(error)}`;
    throw new Error(`POST ${url} ${what}`, { cause: error });
  } finally {
    limit.dispose();
  }
  if (status >= 200 && status < 300) return;
  const error = new Error(`POST ${url} answered ${status}: ${text.slice(0, BODY_EXCERPT).trim()}`);
  // 408 and 429 say "later"; any other 4xx will be refused again however often it is sent.
  if (status >= 400 && status < 500 && status !== 408 && status !== 429) throw new GiveUp(error);
  throw error;
}

/** ECONNREFUSED and the like, with what the system said. */
function networkReason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code;
  return typeof code === 'string' && !error.message.includes(code)
    ? `${code} (${error.message})`
    : error.message;
}

/** What is kept of an answer's body: enough for the excerpt an error quotes. */
const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * node:http, not fetch: fetch's HTTP parser is WebAssembly, which the watchdog's V8 lite mode
 * (jitless) cannot run — the first webhook would abort the process.
 */
async function post(
  url: string,
  body: string,
  signal: AbortSignal,
): Promise<{ status: number; text: string }> {
  const target = new URL(url);
  if (target.protocol !== 'http:' && target.protocol !== 'https:')
    throw new Error(`unsupported protocol ${target.protocol} (http: or https: only)`);
  const { request } = target.protocol === 'https:' ? await import('node:https') : await import('node:http');
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        signal,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        response.on('data', (chunk: Buffer) => {
          if (kept >= MAX_ANSWER_BYTES) return;
          chunks.push(chunk);
          kept += chunk.length;
        });
        response.on('error', reject);
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

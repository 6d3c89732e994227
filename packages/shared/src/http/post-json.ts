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
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: limit.signal,
    });
    status = response.status;
    text = await response.text();
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

/** fetch says only "fetch failed"; the cause holds ECONNREFUSED and the like. */
function networkReason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
  if (cause && typeof cause.code === 'string') return `${cause.code} (${String(cause.message ?? '')})`;
  return error.message;
}

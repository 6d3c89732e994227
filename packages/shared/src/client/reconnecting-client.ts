/**
 * A client that keeps trying to reach a Unix socket with exponential backoff (p-retry), and
 * reports every failed attempt so the caller can log it. Used by the agent to find the watchdog
 * again after the watchdog restarts.
 */
import type { Socket } from 'node:net';
import pRetry, { AbortError } from 'p-retry';
import { connectOnce } from './connect-once.js';

export interface ConnectAttempt {
  attempt: number;
  error: Error;
  /** Milliseconds before the next attempt, as p-retry would choose it (an estimate). */
  nextDelayMs: number;
}

export interface ConnectWithRetryOptions {
  minDelayMs?: number;
  maxDelayMs?: number;
  /** Attempts after the first; Infinity to keep trying until aborted. */
  retries?: number;
  signal?: AbortSignal;
  onAttempt?(attempt: ConnectAttempt): void;
}

export async function connectWithRetry(path: string, options: ConnectWithRetryOptions = {}): Promise<Socket> {
  const minDelayMs = options.minDelayMs ?? 100;
  const maxDelayMs = options.maxDelayMs ?? 2000;
  return pRetry(
    async () => {
      if (options.signal?.aborted) throw new AbortError('connection attempts aborted');
      return connectOnce(path);
    },
    {
      // `retry` precomputes one delay per retry, so "forever" must be its own flag, never Infinity.
      ...(options.retries === undefined || options.retries === Number.POSITIVE_INFINITY
        ? { retries: 16, forever: true }
        : { retries: options.retries }),
      factor: 2,
      minTimeout: minDelayMs,
      maxTimeout: maxDelayMs,
      randomize: true,
      ...(options.signal ? { signal: options.signal } : {}),
      onFailedAttempt(error) {
        options.onAttempt?.({
          attempt: error.attemptNumber,
          error,
          nextDelayMs: Math.min(maxDelayMs, minDelayMs * 2 ** (error.attemptNumber - 1)),
        });
      },
    },
  );
}

/**
 * A client that keeps trying to reach a Unix socket with exponential backoff (p-retry), and
 * reports every failed attempt so the caller can log it. Used by the agent to find the watchdog
 * again after the watchdog restarts.
 */
import { createConnection, type Socket } from 'node:net';
import pRetry, { AbortError } from 'p-retry';
import { sharedErrors } from '../errors.js';

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

export function connectOnce(path: string, timeoutMs = 2000): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(sharedErrors.create('VIGIL_CONNECT_FAILED', `no answer from ${path} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      reject(
        sharedErrors.create(
          'VIGIL_CONNECT_FAILED',
          `cannot connect to ${path}: ${error.code ?? error.message}`,
          {
            cause: error,
            detail: { path, errno: error.code },
          },
        ),
      );
    });
  });
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

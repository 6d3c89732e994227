/**
 * p-retry with its backoff awaited on the injected clock: p-retry's own timers are real ones,
 * so they are set to zero and the exponential delay is slept in onFailedAttempt instead.
 */

import pRetry from 'p-retry';
import type { Clock } from '../clock.js';
import { backoffDelay } from './backoff.js';
import { sleep } from './clock-timeouts.js';

export { AbortError as GiveUp } from 'p-retry';

export interface BackoffOptions {
  /** Attempts after the first. */
  retries: number;
  /** The first delay; each later one doubles, up to maxDelayMs. */
  minDelayMs: number;
  maxDelayMs: number;
  clock: Clock;
  /** Aborting stops retrying: the promise rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
  onFailedAttempt?: ((error: Error, attempt: number, retriesLeft: number) => void) | undefined;
}

export function retryWithBackoff<T>(
  run: (attempt: number) => Promise<T>,
  options: BackoffOptions,
): Promise<T> {
  return pRetry(run, {
    retries: options.retries,
    minTimeout: 0,
    maxTimeout: 0,
    factor: 1,
    randomize: false,
    ...(options.signal ? { signal: options.signal } : {}),
    onFailedAttempt: async (error) => {
      options.onFailedAttempt?.(error, error.attemptNumber, error.retriesLeft);
      if (error.retriesLeft <= 0) return;
      await sleep(
        options.clock,
        backoffDelay(error.attemptNumber, { initialMs: options.minDelayMs, maxMs: options.maxDelayMs }),
        options.signal,
      );
    },
  });
}

/**
 * vigil's one way to POST a JSON body that must arrive (the watchdog's and the agent's alerts):
 * one attempt with a deadline on the clock (post-json.ts), retried with vigil's backoff, a 4xx
 * that a retry cannot fix given up at once. Resolves null when delivered, else the last error;
 * never throws, so a receiver that is down cannot disturb what alerted.
 */
import type { Clock } from '../clock.js';
import { postJson } from './post-json.js';
import { retryWithBackoff } from './retry-with-backoff.js';

export interface DeliveryOptions {
  /** One HTTP attempt; past it the attempt counts as failed. */
  timeoutMs: number;
  /** Attempts after the first. */
  retries: number;
  /** First backoff delay; doubles per attempt up to maxRetryDelayMs. */
  retryDelayMs: number;
  maxRetryDelayMs: number;
}

/** Suits a webhook or an Alertmanager on the same network; tests shorten it. */
export const DEFAULT_DELIVERY: DeliveryOptions = {
  timeoutMs: 5000,
  retries: 3,
  retryDelayMs: 1000,
  maxRetryDelayMs: 10_000,
};

export interface DeliverJsonOptions {
  clock: Clock;
  delivery: DeliveryOptions;
  /** Aborting stops delivery (the sender is closing). */
  signal?: AbortSignal | undefined;
  onFailedAttempt?: ((error: Error, attempt: number, retriesLeft: number) => void) | undefined;
}

export async function deliverJson(
  url: string,
  body: unknown,
  options: DeliverJsonOptions,
): Promise<Error | null> {
  const { clock, delivery, signal } = options;
  try {
    await retryWithBackoff(() => postJson(url, body, { clock, timeoutMs: delivery.timeoutMs, signal }), {
      retries: delivery.retries,
      minDelayMs: delivery.retryDelayMs,
      maxDelayMs: delivery.maxRetryDelayMs,
      clock,
      signal,
      onFailedAttempt: options.onFailedAttempt,
    });
    return null;
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/**
 * How the network sinks deliver: per-attempt timeout and retries with backoff. Not in the
 * config file; the defaults suit a webhook or an Alertmanager on the same network, and tests
 * shorten them.
 */
export interface DeliveryOptions {
  /** One HTTP attempt; past it the attempt counts as failed. */
  timeoutMs: number;
  /** Attempts after the first. */
  retries: number;
  /** First backoff delay; doubles per attempt up to maxRetryDelayMs. */
  retryDelayMs: number;
  maxRetryDelayMs: number;
}

export const DEFAULT_DELIVERY: DeliveryOptions = {
  timeoutMs: 5000,
  retries: 3,
  retryDelayMs: 1000,
  maxRetryDelayMs: 10_000,
};

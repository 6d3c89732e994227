/**
 * One alert POST as a network sink makes it: retries with backoff, each failed attempt logged at
 * debug, the final failure logged as VIGIL_ALERT_DELIVERY_FAILED. Resolves true when delivered,
 * false otherwise; never throws, so a receiver that is down cannot fail the check that alerted.
 */
import type { Clock, Logger } from '@vigil/shared';
import { agentErrors } from '../errors.js';
import type { DeliveryOptions } from './delivery-options.js';
import { postJson } from './post-json.js';
import { retryWithBackoff } from './retry-with-backoff.js';

export interface AlertPost {
  /** The sink's name, in every log line and the error message ("webhook", "alertmanager"). */
  sink: string;
  url: string;
  body: unknown;
  /** The checks the body is about, for the log lines. */
  checks: readonly unknown[];
  /** Aborted when the sink closes: delivery stops and is logged as abandoned. */
  signal: AbortSignal;
  clock: Clock;
  delivery: DeliveryOptions;
  logger: Logger;
}

export async function deliverAlert(post: AlertPost): Promise<boolean> {
  const { sink, url, body, checks, signal, clock, delivery, logger } = post;
  try {
    await retryWithBackoff(() => postJson(url, body, { clock, timeoutMs: delivery.timeoutMs, signal }), {
      retries: delivery.retries,
      minDelayMs: delivery.retryDelayMs,
      maxDelayMs: delivery.maxRetryDelayMs,
      clock,
      signal,
      onFailedAttempt: (error, attempt, retriesLeft) =>
        logger.debug({ sink, attempt, retriesLeft, reason: error.message }, `${sink} attempt failed`),
    });
    return true;
  } catch (error) {
    if (signal.aborted) {
      logger.warn({ sink, checks }, 'alert delivery abandoned: closing');
      return false;
    }
    const message = `${sink} ${url}: ${error instanceof Error ? error.message : String(error)}`;
    const err = agentErrors.create('VIGIL_ALERT_DELIVERY_FAILED', message, { cause: error });
    logger.error({ err, sink, checks }, 'alert not delivered');
    return false;
  }
}

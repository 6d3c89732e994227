/**
 * One alert POST as a network sink makes it: retries with backoff, each failed attempt logged at
 * debug, the final failure logged as VIGIL_ALERT_DELIVERY_FAILED. Resolves true when delivered,
 * false otherwise; never throws, so a receiver that is down cannot fail the check that alerted.
 */
import { type Clock, type DeliveryOptions, deliverJson, type Logger } from '@vigil/shared';
import { agentErrors } from '../errors.js';

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
  const failed = await deliverJson(url, body, {
    clock,
    delivery,
    signal,
    onFailedAttempt: (error, attempt, retriesLeft) =>
      logger.debug({ sink, attempt, retriesLeft, reason: error.message }, `${sink} attempt failed`),
  });
  if (!failed) return true;
  if (signal.aborted) {
    logger.warn({ sink, checks }, 'alert delivery abandoned: closing');
    return false;
  }
  const err = agentErrors.create('VIGIL_ALERT_DELIVERY_FAILED', `${sink} ${url}: ${failed.message}`, {
    cause: failed,
  });
  logger.error({ err, sink, checks }, 'alert not delivered');
  return false;
}

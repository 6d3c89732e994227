/**
 * Waiting on the injected clock: an abortable sleep (retry backoff, grace periods) and a
 * deadline as an AbortSignal (one HTTP attempt). Tests drive both with a FakeClock.
 */
import type { Clock } from '../clock.js';

/** Resolves after ms on the clock; rejects with the signal's reason when it is aborted first. */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  // A FakeClock fires nothing until it is advanced, so "no wait" must not wait for a timer.
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clock.clearTimeout(handle);
      reject(signal?.reason);
    };
    const handle = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface Deadline {
  /** Aborted when the deadline passes or the parent signal aborts. */
  readonly signal: AbortSignal;
  /** True once the deadline itself (not the parent) aborted the signal. */
  readonly expired: boolean;
  /** Clears the timer; call it when the work is done. */
  dispose(): void;
}

export function deadline(clock: Clock, ms: number, parent?: AbortSignal): Deadline {
  const controller = new AbortController();
  let expired = false;
  const onParentAbort = () => controller.abort(parent?.reason);
  const handle = clock.setTimeout(() => {
    expired = true;
    controller.abort(new Error(`timed out after ${ms} ms`));
  }, ms);
  if (parent?.aborted) onParentAbort();
  else parent?.addEventListener('abort', onParentAbort, { once: true });
  return {
    signal: controller.signal,
    get expired() {
      return expired;
    },
    dispose() {
      clock.clearTimeout(handle);
      parent?.removeEventListener('abort', onParentAbort);
    },
  };
}

/** Waits for a promise, but no longer than ms on the clock; true when it settled in time. */
export async function settledWithin(clock: Clock, promise: Promise<unknown>, ms: number): Promise<boolean> {
  const timer = new AbortController();
  const settled = promise.then(
    () => true,
    () => true,
  );
  const timedOut = sleep(clock, ms, timer.signal).then(
    () => false,
    () => false,
  );
  try {
    return await Promise.race([settled, timedOut]);
  } finally {
    timer.abort();
  }
}

/**
 * Waiting for an event with a deadline: every wait in the benchmark polls a condition at a short
 * interval and gives up at a deadline with a message that says what it was waiting for.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export class DeadlineError extends Error {
  constructor(what, timeoutMs) {
    super(`timed out after ${timeoutMs} ms waiting for ${what}`);
    this.name = 'DeadlineError';
  }
}

/**
 * Calls `probe` every `intervalMs` until it returns something other than undefined, null or
 * false, and returns that; throws DeadlineError after `timeoutMs`.
 */
export async function waitFor(probe, { timeoutMs, what, intervalMs = 10 }) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() >= deadline)
      throw new DeadlineError(typeof what === 'function' ? what() : what, timeoutMs);
    await sleep(intervalMs);
  }
}

/** Like waitFor, but a timeout is an answer (null), not an error. */
export async function pollUntil(probe, { deadline, intervalMs = 10 }) {
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() >= deadline) return null;
    await sleep(intervalMs);
  }
}

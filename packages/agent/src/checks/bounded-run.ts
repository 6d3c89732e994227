/**
 * One run of a check, bounded by its timeoutMs. At the deadline the check's signal fires AND the
 * run stops waiting for it, so a check that ignores its signal is abandoned rather than allowed
 * to block anything. Whatever happens (a throw, a hang, a timeout) the run resolves with a
 * result, critical with `error` set; it never rejects.
 */
import { type Clock, describeError } from '@vigil/shared';
import { agentErrors } from '../errors.js';
import { type Check, type CheckOutcome, type CheckResult, clip } from './check-result.js';

export interface BoundedRun {
  readonly result: Promise<CheckResult>;
  /** Aborts the run now (check removed, registry stopping); the result still resolves. */
  abort(reason: string): void;
  /** Whether the check's own promise is still pending; stays true for an abandoned run. */
  readonly pending: boolean;
  /** Resolves when the check's own promise settles, however late (never rejects). */
  readonly returned: Promise<void>;
}

export function runBounded(check: Check, clock: Clock): BoundedRun {
  const { config } = check;
  const controller = new AbortController();
  const started = clock.now();
  let pending = true;
  // Deferring the call turns a synchronous throw into a rejection like any other.
  const own = Promise.resolve().then(() => {
    controller.signal.throwIfAborted();
    return check.run(controller.signal);
  });
  const returned = own.then(
    () => {
      pending = false;
    },
    () => {
      pending = false;
    },
  );

  const timer = clock.setTimeout(() => {
    const error = agentErrors.create(
      'VIGIL_CHECK_TIMEOUT',
      `check "${config.name}" did not finish within ${config.timeoutMs} ms`,
      { detail: { check: config.name } },
    );
    controller.abort(error);
  }, config.timeoutMs);
  const cutOff = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
  });

  const finish = (outcome: CheckOutcome, error?: string): CheckResult => {
    clock.clearTimeout(timer);
    const result: CheckResult = {
      name: config.name,
      type: config.type,
      ...outcome,
      at: clock.wallNow(),
      durationMs: Math.round(clock.now() - started),
    };
    if (error !== undefined) result.error = error;
    return result;
  };

  const result = Promise.race([own, cutOff]).then(
    (outcome) => finish(outcome),
    (error: unknown) => {
      if (controller.signal.aborted && error === controller.signal.reason) {
        const timedOut = (error as { code?: string }).code === 'VIGIL_CHECK_TIMEOUT';
        const summary = timedOut
          ? `timed out after ${config.timeoutMs} ms`
          : `aborted: ${describeError(error)}`;
        return finish({ status: 'critical', summary }, describeError(error));
      }
      const message = describeError(error);
      return finish({ status: 'critical', summary: clip(`check failed: ${message}`) }, message);
    },
  );

  return {
    result,
    abort(reason) {
      if (!controller.signal.aborted) controller.abort(new Error(reason));
    },
    get pending() {
      return pending;
    },
    returned,
  };
}

/**
 * Runs a list of handlers in order under one deadline. Each may say what it did; one that
 * throws is reported but does not stop the rest; past the deadline the signal is aborted and
 * the outcome says so, while whatever was already done is still reported.
 */
import { describeError } from '@vigil/shared';
import { sdkErrors } from './errors.js';

// biome-ignore lint/suspicious/noConfusingVoidType: a handler that did nothing worth saying returns nothing.
export type HandlerOutput = string[] | string | void;

export interface HandlerOutcome {
  ok: boolean;
  did: string[];
  error?: string;
}

export interface RunHandlersOptions {
  /** Names the handlers in messages: "soft recover", "restore". */
  what: string;
  timeoutMs: number;
  /** Aborts the run from outside (the agent is stopping). */
  signal?: AbortSignal;
}

function lines(output: HandlerOutput): string[] {
  if (output === undefined || output === null) return [];
  return (Array.isArray(output) ? output : [output]).filter(
    (line) => typeof line === 'string' && line !== '',
  );
}

export async function runHandlers(
  handlers: readonly ((signal: AbortSignal) => Promise<HandlerOutput> | HandlerOutput)[],
  options: RunHandlersOptions,
): Promise<HandlerOutcome> {
  const controller = new AbortController();
  const did: string[] = [];
  const errors: string[] = [];

  const work = (async () => {
    for (const [index, handler] of handlers.entries()) {
      if (controller.signal.aborted) return;
      try {
        did.push(...lines(await handler(controller.signal)));
      } catch (error) {
        const label =
          handlers.length > 1 ? `${options.what} handler ${index + 1}` : `${options.what} handler`;
        const reason = error instanceof Error ? error.message : String(error);
        errors.push(
          describeError(
            sdkErrors.create('VIGIL_HANDLER_FAILED', `${label} failed: ${reason}`, { cause: error }),
          ),
        );
      }
    }
  })();

  let timer: NodeJS.Timeout | undefined;
  let onOuterAbort: (() => void) | undefined;
  // Ends at the deadline, or at once when the agent stops: neither waits for a stuck handler.
  const cutOff = new Promise<'timeout' | 'stopping'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), options.timeoutMs);
    onOuterAbort = () => resolve('stopping');
    if (options.signal?.aborted) onOuterAbort();
    else options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  });
  const winner = await Promise.race([work.then(() => 'done' as const), cutOff]);
  clearTimeout(timer);
  if (onOuterAbort) options.signal?.removeEventListener('abort', onOuterAbort);
  if (winner === 'stopping') {
    const stopping = sdkErrors.create(
      'VIGIL_HANDLER_TIMEOUT',
      `${options.what} handlers cut short: the agent is stopping`,
    );
    controller.abort(stopping);
    errors.push(describeError(stopping));
  } else if (winner === 'timeout') {
    const timeout = sdkErrors.create(
      'VIGIL_HANDLER_TIMEOUT',
      `${options.what} handlers did not finish within ${options.timeoutMs} ms`,
    );
    controller.abort(timeout);
    errors.push(describeError(timeout));
  }
  // A copy: a handler still running past the deadline must not change what was reported.
  const outcome: HandlerOutcome = { ok: errors.length === 0, did: [...did] };
  if (errors.length > 0) outcome.error = errors.join('; ');
  return outcome;
}

/**
 * A remediation command run until it succeeds or its retries are spent, with backoff on the
 * injected clock. A program that cannot start at all is not retried.
 */
import type { Clock } from '@vigil/shared';
import { GiveUp, retryWithBackoff } from '@vigil/shared';
import type { RemediationConfig } from '../config/checks-schema.js';
import { type CommandRun, runRemediationCommand } from './run-remediation-command.js';

export interface RetriedRun {
  /** The last run; undefined only when none started (aborted first). */
  last: CommandRun | undefined;
  attempts: number;
}

export interface RunWithRetriesOptions {
  clock: Clock;
  retryDelayMs: number;
  maxRetryDelayMs: number;
  outputBytes: number;
  /** Aborting kills the running command and stops retrying. */
  signal: AbortSignal;
  onFailedAttempt: (run: CommandRun, attempt: number, retriesLeft: number) => void;
}

export async function runWithRetries(
  config: RemediationConfig,
  options: RunWithRetriesOptions,
): Promise<RetriedRun> {
  const result: RetriedRun = { last: undefined, attempts: 0 };
  const runs: CommandRun[] = [];
  try {
    await retryWithBackoff(
      async (attempt) => {
        result.attempts = attempt;
        const run = await runRemediationCommand(config.command, {
          timeoutMs: config.timeoutMs,
          outputBytes: options.outputBytes,
          signal: options.signal,
        });
        runs.push(run);
        result.last = run;
        if (run.ok) return;
        const error = new Error(run.reason);
        throw run.spawnFailed ? new GiveUp(error) : error;
      },
      {
        retries: config.retries,
        minDelayMs: options.retryDelayMs,
        maxDelayMs: options.maxRetryDelayMs,
        clock: options.clock,
        signal: options.signal,
        onFailedAttempt: (_error, attempt, retriesLeft) => {
          const run = runs[attempt - 1];
          if (run) options.onFailedAttempt(run, attempt, retriesLeft);
        },
      },
    );
  } catch {
    // Every attempt failed (or close() aborted): `last` says how the final one ended.
  }
  return result;
}

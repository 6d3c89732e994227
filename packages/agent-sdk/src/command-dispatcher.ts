/**
 * Turns each command from the watchdog into exactly one result. Nothing a handler or a fault
 * does escapes as an exception: every failure becomes `ok: false` with an error line.
 */
import { type CommandMessage, describeError, PROTOCOL_VERSION, type ResultMessage } from '@vigil/shared';
import type { FaultInjector } from './faults/fault-injector.js';
import type { RecoveryHandlers } from './recovery-handlers.js';
import type { HandlerOutcome } from './run-handlers.js';

const MAX_LINE = 512;
const MAX_LINES = 64;

export interface DispatchOutcome {
  result: ResultMessage;
  /** Runs once the result has been written (a hang or a crash). */
  afterReply?: () => void;
}

export interface CommandDispatcherOptions {
  handlers: RecoveryHandlers;
  faults: FaultInjector;
  /**
   * Called after a recover or restore has run, with whether it succeeded; the lines it returns
   * (e.g. the state it led to) are added to what the result says was done.
   */
  onRecovered?(level: 'soft' | 'medium' | 'restore', ok: boolean): string[] | undefined;
}

function clip(line: string): string {
  return line.length <= MAX_LINE ? line : `${line.slice(0, MAX_LINE - 3)}...`;
}

export class CommandDispatcher {
  readonly #options: CommandDispatcherOptions;

  constructor(options: CommandDispatcherOptions) {
    this.#options = options;
  }

  async dispatch(command: CommandMessage): Promise<DispatchOutcome> {
    const started = performance.now();
    let outcome: HandlerOutcome;
    let afterReply: (() => void) | undefined;
    try {
      switch (command.cmd) {
        case 'ping':
          outcome = { ok: true, did: ['pong'] };
          break;
        case 'recover': {
          // An injected cache (the bloat fault) is dropped by any soft recovery, before the
          // service's own handlers run, as the service's own caches would be.
          const dropped = command.level === 'soft' ? this.#options.faults.endSoftClearable() : [];
          outcome = await this.#options.handlers.recover(command.level, command.reason);
          if (dropped.length) outcome = { ...outcome, did: [...dropped, ...outcome.did] };
          outcome = this.#after(command.level, outcome);
          break;
        }
        case 'restore':
          outcome = this.#after('restore', await this.#options.handlers.restore());
          break;
        case 'maintenance':
          outcome = await this.#options.handlers.maintenance(command.untilMs);
          break;
        case 'fault': {
          const started = this.#options.faults.start(command.fault);
          outcome = { ok: true, did: started.did };
          afterReply = started.afterReply;
          break;
        }
      }
    } catch (error) {
      outcome = { ok: false, did: [], error: describeError(error) };
    }
    return { result: this.#toResult(command.id, outcome, performance.now() - started), afterReply };
  }

  #after(level: 'soft' | 'medium' | 'restore', outcome: HandlerOutcome): HandlerOutcome {
    const more = this.#options.onRecovered?.(level, outcome.ok) ?? [];
    return more.length ? { ...outcome, did: [...outcome.did, ...more] } : outcome;
  }

  #toResult(id: string, outcome: HandlerOutcome, durationMs: number): ResultMessage {
    const result: ResultMessage = {
      v: PROTOCOL_VERSION,
      type: 'result',
      id,
      ok: outcome.ok,
      did: outcome.did.slice(0, MAX_LINES).map(clip),
      durationMs: Math.round(durationMs * 100) / 100,
    };
    if (outcome.error !== undefined) result.error = clip(outcome.error);
    return result;
  }
}

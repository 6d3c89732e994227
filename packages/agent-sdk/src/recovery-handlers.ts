/**
 * The registry of what a service does when the watchdog asks it to recover, to restore after
 * a medium recovery, or to enter a maintenance window. Handlers of a level run in the order
 * they were registered; a level with none falls back to the defaults. The agent's state is not
 * written here: the lifecycle table is its one writer (see create-agent.ts).
 */
import type { RecoverLevel } from '@vigil/shared';
import { collectGarbage, degradeOnly } from './default-handlers.js';
import { type HandlerOutcome, type HandlerOutput, runHandlers } from './run-handlers.js';

export interface RecoverContext {
  level: RecoverLevel;
  reason?: string;
  /** Aborted when the command's deadline passes or the agent stops. */
  signal: AbortSignal;
}

export type RecoverHandler = (context: RecoverContext) => Promise<HandlerOutput> | HandlerOutput;
export type RestoreHandler = () => Promise<HandlerOutput> | HandlerOutput;
export type MaintenanceHandler = (untilMs: number) => void;

export interface RecoveryHandlersOptions {
  timeoutMs: number;
}

export class RecoveryHandlers {
  readonly #options: RecoveryHandlersOptions;
  readonly #recover: Record<RecoverLevel, RecoverHandler[]> = { soft: [], medium: [] };
  readonly #restore: RestoreHandler[] = [];
  readonly #maintenance: MaintenanceHandler[] = [];
  #lifetime = new AbortController();

  constructor(options: RecoveryHandlersOptions) {
    this.#options = options;
  }

  onRecover(level: RecoverLevel, handler: RecoverHandler): void {
    if (level !== 'soft' && level !== 'medium') {
      throw new TypeError(`onRecover: level must be "soft" or "medium", got ${JSON.stringify(level)}`);
    }
    this.#recover[level].push(handler);
  }

  onRestore(handler: RestoreHandler): void {
    this.#restore.push(handler);
  }

  onMaintenance(handler: MaintenanceHandler): void {
    this.#maintenance.push(handler);
  }

  recover(level: RecoverLevel, reason: string | undefined): Promise<HandlerOutcome> {
    const registered = this.#recover[level];
    const handlers = registered.length > 0 ? registered : [this.#fallback(level)];
    return runHandlers(
      handlers.map((handler) => (signal: AbortSignal) => handler({ level, reason, signal })),
      this.#runOptions(`${level} recover`),
    );
  }

  restore(): Promise<HandlerOutcome> {
    return runHandlers(
      this.#restore.map((handler) => () => handler()),
      this.#runOptions('restore'),
    );
  }

  async maintenance(untilMs: number): Promise<HandlerOutcome> {
    const outcome = await runHandlers(
      this.#maintenance.map((handler) => () => handler(untilMs)),
      this.#runOptions('maintenance'),
    );
    outcome.did.push(
      untilMs === 0 ? 'maintenance: ended' : `maintenance: until ${new Date(untilMs).toISOString()}`,
    );
    return outcome;
  }

  /** Aborts the signal of every handler still running (the agent is stopping). */
  abortRunning(): void {
    this.#lifetime.abort();
    this.#lifetime = new AbortController();
  }

  #fallback(level: RecoverLevel): RecoverHandler {
    return level === 'soft' ? () => collectGarbage() : () => degradeOnly();
  }

  #runOptions(what: string) {
    return { what, timeoutMs: this.#options.timeoutMs, signal: this.#lifetime.signal };
  }
}

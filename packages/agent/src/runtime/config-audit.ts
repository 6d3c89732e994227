/**
 * The audit log of config changes (`state/config-audit.jsonl`): every apply, rejection,
 * rollback and deletion, one JSON line each, with the file's hash, so an operator can tell
 * what the agent was running at any moment and why a change did not take.
 */
import { dirname } from 'node:path';
import { appendFileSafe, ensureDir, type Logger } from '@vigil/shared';

export type AuditAction = 'loaded' | 'applied' | 'rejected' | 'rolled-back' | 'deleted' | 'unchanged';

export interface AuditEntry {
  at: string;
  action: AuditAction;
  file: string | null;
  sha256?: string | undefined;
  changes?: Record<string, string[]> | undefined;
  errors?: string[] | undefined;
  note?: string | undefined;
  /** With a refused file at start: the fallback that runs instead (null: the built-in defaults). */
  running?: string | null | undefined;
}

export class ConfigAudit {
  readonly #path: string;
  readonly #logger: Logger;

  readonly #onEntry: ((entry: AuditEntry) => void) | undefined;

  /** `onEntry` hears every entry as it is written (the config report in the heartbeats). */
  constructor(path: string, logger: Logger, onEntry?: (entry: AuditEntry) => void) {
    this.#path = path;
    this.#logger = logger;
    this.#onEntry = onEntry;
  }

  write(entry: Omit<AuditEntry, 'at'>): void {
    const line = { at: new Date().toISOString(), ...entry };
    const level = entry.action === 'rejected' || entry.action === 'rolled-back' ? 'warn' : 'info';
    this.#logger[level]({ audit: line }, `config ${entry.action}`);
    this.#onEntry?.(line);
    try {
      // Never written through a link planted at the name: it is moved aside and logged.
      ensureDir(dirname(this.#path), { mode: 0o750, report: this.#logger });
      appendFileSafe(this.#path, `${JSON.stringify(line)}\n`, { mode: 0o640, report: this.#logger });
    } catch (error) {
      this.#logger.error({ err: error, path: this.#path }, 'could not write the config audit log');
    }
  }
}

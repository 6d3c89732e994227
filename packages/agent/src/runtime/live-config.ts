/**
 * Live config: the agent watches its config file and, on change, validates it with the same
 * code as `vigil config validate` (parseConfig), keeps a backup of the running config, applies
 * only what changed, and rolls back if applying fails. An invalid, half-written or deleted file
 * never stops the agent: it keeps running the last good config and says why in the audit log.
 */
import { createHash } from 'node:crypto';
import { type FSWatcher, readFileSync, watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import { type Ride, ride } from '@vigil/agent-sdk';
import { isVigilError, type Logger, writeFileAtomic } from '@vigil/shared';
import { type FullConfig, parseConfig } from '../config/full-config.js';
import type { AuditAction, AuditEntry, ConfigAudit } from './config-audit.js';
import { rememberRunning } from './config-source.js';

export interface LiveConfigOptions {
  /** The config file; or the places one may appear (one folder), first match wins. */
  file: string | readonly string[];
  initial: FullConfig;
  /** Where the running config is backed up before each apply (JSON). */
  backupFile: string;
  /** Where each config that applied is kept: the fallback at the next start if the file is bad. */
  runningFile: string;
  /** Counts outcomes for metrics. */
  onOutcome?(action: AuditAction): void;
  audit: ConfigAudit;
  logger: Logger;
  /** Applies the new config; returns what changed per area. Throws to trigger a rollback. */
  apply(next: FullConfig, previous: FullConfig): Promise<Record<string, string[]>>;
  /** Quiet time after the last change event before reading (editors write in several steps). */
  settleMs?: number;
  /** Poll as a fallback: fs.watch misses events on some filesystems and after a file is replaced. */
  pollMs?: number;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export class LiveConfig {
  readonly #o: LiveConfigOptions;
  #running: FullConfig;
  #lastText: string | null = null;
  #watcher: FSWatcher | undefined;
  #poll: Ride | undefined;
  #settle: NodeJS.Timeout | undefined;
  #busy: Promise<void> = Promise.resolve();
  #missing: boolean;
  readonly #candidates: readonly string[];
  /** The file last read (or the first candidate when none exists). */
  #file: string;

  constructor(options: LiveConfigOptions) {
    this.#o = options;
    this.#running = options.initial;
    this.#candidates = typeof options.file === 'string' ? [options.file] : options.file;
    this.#file = this.#candidates[0] ?? '';
    this.#lastText = this.#read();
    // Started without a file: its later appearance is a change, its absence is not news.
    this.#missing = this.#lastText === null;
  }

  get running(): FullConfig {
    return this.#running;
  }

  start(): void {
    // Watch the directory, not the file: editors and config management replace the file.
    try {
      const names = new Set(this.#candidates.map((file) => basename(file)));
      this.#watcher = watch(dirname(this.#file), (_event, name) => {
        if (name === null || names.has(name)) this.#schedule();
      });
      this.#watcher.on('error', () => this.#watcher?.close());
    } catch (error) {
      this.#o.logger.warn({ err: error }, 'cannot watch the config directory; polling only');
    }
    // On the agent's pulse, so polling costs no wakeup of its own; only a change waits to settle.
    this.#poll = ride(this.#o.pollMs ?? 2000, () => {
      if (this.#changed()) this.#schedule();
    });
  }

  /** Whether the file now differs from what was last handled (a read, as reload() does). */
  #changed(): boolean {
    const text = this.#read();
    return text === null ? !this.#missing : this.#missing || text !== this.#lastText;
  }

  stop(): void {
    this.#watcher?.close();
    this.#poll?.stop();
    this.#poll = undefined;
    clearTimeout(this.#settle);
  }

  /** Re-reads the file now (tests, SIGHUP); resolves when the change is handled. */
  reload(): Promise<void> {
    this.#busy = this.#busy.then(() => this.#check());
    return this.#busy;
  }

  #schedule(): void {
    clearTimeout(this.#settle);
    this.#settle = setTimeout(() => void this.reload(), this.#o.settleMs ?? 200);
    this.#settle.unref();
  }

  #audit(entry: Omit<AuditEntry, 'at'>): void {
    this.#o.audit.write(entry);
    this.#o.onOutcome?.(entry.action);
  }

  #read(): string | null {
    for (const file of this.#candidates) {
      try {
        const text = readFileSync(file, 'utf8');
        this.#file = file;
        return text;
      } catch {
        // Absent or unreadable: the next candidate.
      }
    }
    return null;
  }

  async #check(): Promise<void> {
    const text = this.#read();
    if (text === null) {
      if (!this.#missing) {
        this.#missing = true;
        this.#audit({
          action: 'deleted',
          file: this.#file,
          note: 'file missing or unreadable; keeping the running config',
        });
      }
      return;
    }
    this.#missing = false;
    if (text === this.#lastText) return;
    this.#lastText = text;
    let next: FullConfig;
    try {
      next = parseConfig(text, this.#file);
    } catch (error) {
      const errors = isVigilError(error)
        ? ((error.detail?.errors as string[] | undefined) ?? [error.message])
        : [String(error)];
      this.#audit({
        action: 'rejected',
        file: this.#file,
        sha256: sha256(text),
        errors,
        note: 'keeping the running config',
      });
      return;
    }
    const previous = this.#running;
    try {
      writeFileAtomic(this.#o.backupFile, `${JSON.stringify(previous, null, 2)}\n`, { mode: 0o640 });
    } catch (error) {
      // The running config is still in memory for a rollback; only the copy on disk is missing.
      this.#o.logger.warn({ err: error, path: this.#o.backupFile }, 'could not write the config backup');
    }
    try {
      const changes = await this.#o.apply(next, previous);
      this.#running = next;
      rememberRunning(this.#o.runningFile, next);
      const changed = Object.values(changes).some((list) => list.length > 0);
      this.#audit({
        action: changed ? 'applied' : 'unchanged',
        file: this.#file,
        sha256: sha256(text),
        changes,
      });
    } catch (error) {
      this.#o.logger.error({ err: error }, 'applying the new config failed; rolling back');
      try {
        await this.#o.apply(previous, next);
      } catch (rollbackError) {
        this.#o.logger.error({ err: rollbackError }, 'rollback failed too; the agent runs a partial config');
      }
      this.#audit({
        action: 'rolled-back',
        file: this.#file,
        sha256: sha256(text),
        errors: [(error as Error).message],
        note: `restored the running config (backup: ${this.#o.backupFile})`,
      });
    }
  }
}

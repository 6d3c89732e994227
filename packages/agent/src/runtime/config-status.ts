/**
 * What config the agent runs, and its last refused change, derived from the audit entries as
 * they are written: the report the heartbeats carry to `vigil status` ("config: last change
 * rejected at T (path: problem); running the config of T0"). A good change clears the refusal.
 */
import type { ConfigReport } from '@vigil/shared';
import type { AuditEntry } from './config-audit.js';

const MAX_PROBLEMS = 10;

export class ConfigStatus {
  #report: ConfigReport = { source: null, appliedAt: Date.now() };
  #listener: ((report: ConfigReport) => void) | undefined;

  get report(): ConfigReport {
    return this.#report;
  }

  /** Hears every change of the report from now on, starting with the current one. */
  listen(listener: (report: ConfigReport) => void): void {
    this.#listener = listener;
    listener(this.#report);
  }

  note(entry: AuditEntry): void {
    const at = Date.parse(entry.at);
    const when = Number.isFinite(at) ? at : Date.now();
    switch (entry.action) {
      case 'loaded':
      case 'applied':
        this.#set({ source: entry.file, appliedAt: when });
        break;
      case 'unchanged':
        // The file is valid again; what runs did not change.
        this.#set({ source: this.#report.source, appliedAt: this.#report.appliedAt });
        break;
      case 'rejected':
      case 'rolled-back': {
        const rejected = {
          at: when,
          file: entry.file,
          problems: (entry.errors ?? []).slice(0, MAX_PROBLEMS).map((p) => p.slice(0, 500)),
        };
        // Refused at start: what runs is the fallback, from now.
        const base = entry.running !== undefined ? { source: entry.running, appliedAt: when } : this.#report;
        this.#set({ source: base.source, appliedAt: base.appliedAt, rejected });
        break;
      }
      case 'deleted':
        break;
    }
  }

  #set(report: ConfigReport): void {
    this.#report = report;
    this.#listener?.(report);
  }
}

/**
 * Incident events go to the history file (fsync'd) and stay in memory for the most recent
 * incidents, so status can show them without rereading the file.
 */
import type { Incident, IncidentEvent, Logger } from '@vigil/shared';
import { foldIncidents } from '../history/fold-incidents.js';
import { type HistoryFile, readHistory } from '../history/history-file.js';

export class IncidentLog {
  readonly #file: HistoryFile;
  readonly #path: string;
  readonly #keep: number;
  readonly #logger: Logger;
  #recent: IncidentEvent[] = [];
  #pending: IncidentEvent[] = [];
  readonly #memoryIncidents: number;

  constructor(file: HistoryFile, path: string, keep: number, logger: Logger, memoryIncidents = 10) {
    this.#file = file;
    this.#path = path;
    this.#keep = keep;
    this.#logger = logger;
    this.#memoryIncidents = memoryIncidents;
    const { events, skipped } = readHistory(path, keep, logger);
    if (skipped)
      logger.warn({ skipped, file: path }, 'incident history had unreadable lines; they were skipped');
    this.#recent = this.#trim(events);
  }

  /**
   * Kept in memory at once; written (and fsync'd) at the end of this turn of the event loop, so
   * that a restart decided in the same turn spawns the agent before the disk is waited on.
   */
  append(event: IncidentEvent): void {
    this.#recent.push(event);
    this.#recent = this.#trim(this.#recent);
    this.#pending.push(event);
    if (this.#pending.length === 1) setImmediate(() => this.flush());
  }

  /** Writes what is pending now (also at shutdown). */
  flush(): void {
    const events = this.#pending.splice(0);
    try {
      this.#file.appendAll(events);
    } catch (error) {
      // A full disk must not stop recovery; the events are still logged and kept in memory.
      this.#logger.error({ err: error, events: events.length }, 'could not write the incident history');
    }
  }

  recent(n: number): Incident[] {
    return foldIncidents(this.#recent).slice(0, n);
  }

  /** The whole history from disk, newest first. */
  all(n: number): Incident[] {
    this.flush();
    return foldIncidents(readHistory(this.#path, this.#keep, this.#logger).events).slice(0, n);
  }

  #trim(events: IncidentEvent[]): IncidentEvent[] {
    const ids = [...new Set(events.map((e) => e.incidentId))];
    if (ids.length <= this.#memoryIncidents) return events;
    const keep = new Set(ids.slice(-this.#memoryIncidents));
    return events.filter((e) => keep.has(e.incidentId));
  }
}

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

  append(event: IncidentEvent): void {
    try {
      this.#file.append(event);
    } catch (error) {
      // A full disk must not stop recovery; the event is still logged and kept in memory.
      this.#logger.error({ err: error, event }, 'could not write the incident history');
    }
    this.#recent.push(event);
    this.#recent = this.#trim(this.#recent);
  }

  recent(n: number): Incident[] {
    return foldIncidents(this.#recent).slice(0, n);
  }

  /** The whole history from disk, newest first. */
  all(n: number): Incident[] {
    return foldIncidents(readHistory(this.#path, this.#keep, this.#logger).events).slice(0, n);
  }

  #trim(events: IncidentEvent[]): IncidentEvent[] {
    const ids = [...new Set(events.map((e) => e.incidentId))];
    if (ids.length <= this.#memoryIncidents) return events;
    const keep = new Set(ids.slice(-this.#memoryIncidents));
    return events.filter((e) => keep.has(e.incidentId));
  }
}

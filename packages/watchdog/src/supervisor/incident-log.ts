/**
 * Incident events go to the history file (fsync'd) and stay in memory for the most recent
 * incidents, so status and `vigil history` are answered without reading the file: it is read
 * once, from its end and bounded, at start. Events that cannot be written (a full disk, an I/O
 * error) stay queued in order and are written when writes succeed again — on the next event or
 * on a backoff timer — so an incident during a full disk reaches the history once there is room.
 */
import {
  type Clock,
  foldIncidents,
  type Incident,
  type IncidentEvent,
  type Logger,
  readHistory,
  systemClock,
  type TimerHandle,
} from '@vigil/shared';
import type { HistoryFile } from '../history/history-file.js';

export interface IncidentLogOptions {
  file: HistoryFile;
  path: string;
  keep: number;
  logger: Logger;
  clock?: Clock;
  /** Incidents kept in memory for status and history requests. */
  memoryIncidents?: number;
  /** How much of the history's end is read at start. */
  loadBytes?: number;
  /** Events held while writes fail; past this the oldest are dropped (and counted). */
  maxQueued?: number;
  retryInitialMs?: number;
  retryMaxMs?: number;
}

export class IncidentLog {
  readonly #o: Required<Omit<IncidentLogOptions, 'clock'>>;
  readonly #clock: Clock;
  readonly #log: Logger;
  #recent: IncidentEvent[] = [];
  /** Incident ids in #recent, oldest first. */
  readonly #ids = new Set<string>();
  #folded: Incident[] | null = null;
  #pending: IncidentEvent[] = [];
  #flushScheduled = false;
  #retry: TimerHandle | undefined;
  #retryMs: number;
  #failing = false;
  #dropped = 0;
  #writtenLate = 0;

  constructor(options: IncidentLogOptions) {
    this.#o = {
      memoryIncidents: 200,
      loadBytes: 4 * 1024 * 1024,
      maxQueued: 10_000,
      retryInitialMs: 1000,
      retryMaxMs: 30_000,
      ...options,
    } as Required<Omit<IncidentLogOptions, 'clock'>>;
    this.#clock = options.clock ?? systemClock;
    this.#log = options.logger;
    this.#retryMs = this.#o.retryInitialMs;
    const { events, skipped } = readHistory(options.path, options.keep, options.logger, this.#o.loadBytes);
    if (skipped)
      this.#log.warn(
        { skipped, file: options.path },
        'incident history had unreadable lines; they were skipped',
      );
    for (const event of events) this.#remember(event);
  }

  /** Events waiting to be written (a full disk); 0 when the history is up to date. */
  get queued(): number {
    return this.#pending.length;
  }

  /** Events dropped because the queue was full while writes failed. */
  get dropped(): number {
    return this.#dropped;
  }

  /**
   * Kept in memory at once; written (and fsync'd) at the end of this turn of the event loop, so
   * that a restart decided in the same turn spawns the agent before the disk is waited on.
   */
  append(event: IncidentEvent): void {
    this.#remember(event);
    this.#pending.push(event);
    if (this.#pending.length > this.#o.maxQueued) {
      this.#pending.shift();
      this.#dropped++;
    }
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => {
      this.#flushScheduled = false;
      this.flush();
    });
  }

  /** Writes what is pending now, in order (also at shutdown). */
  flush(): void {
    this.#write(false);
  }

  #write(retrying: boolean): void {
    if (this.#pending.length === 0) return;
    const { written, error } = this.#o.file.appendAll(this.#pending);
    this.#pending.splice(0, written);
    if (this.#failing) this.#writtenLate += written;
    if (!error) {
      if (this.#failing) {
        this.#log.warn(
          { writtenLate: this.#writtenLate, dropped: this.#dropped },
          'incident history writable again; the queued events are written',
        );
      }
      this.#failing = false;
      this.#writtenLate = 0;
      this.#retryMs = this.#o.retryInitialMs;
      this.#clock.clearTimeout(this.#retry);
      this.#retry = undefined;
      return;
    }
    // A full disk must not stop recovery: the events stay queued and in memory. Said once, then
    // at each timed retry, not on every event of an incident.
    if (!this.#failing || retrying) {
      this.#log.error(
        { err: error, queued: this.#pending.length, dropped: this.#dropped, retryInMs: this.#retryMs },
        'could not write the incident history; the events are kept and written when it works again',
      );
    }
    this.#failing = true;
    if (this.#retry === undefined) {
      this.#retry = this.#clock.setTimeout(() => {
        this.#retry = undefined;
        this.#write(true);
      }, this.#retryMs);
      this.#retryMs = Math.min(this.#o.retryMaxMs, this.#retryMs * 2);
    }
  }

  /** Stops retrying; what is still queued is reported as lost. */
  close(): void {
    this.flush();
    this.#clock.clearTimeout(this.#retry);
    this.#retry = undefined;
    if (this.#pending.length) {
      this.#log.error(
        { lost: this.#pending.length, dropped: this.#dropped },
        'incident events could not be written before the watchdog stopped',
      );
    }
  }

  /** The newest `n` incidents (at most the ones kept in memory), newest first. */
  recent(n: number): Incident[] {
    this.#folded ??= foldIncidents(this.#recent);
    return this.#folded.slice(0, n);
  }

  #remember(event: IncidentEvent): void {
    this.#recent.push(event);
    this.#folded = null;
    this.#ids.add(event.incidentId);
    if (this.#ids.size <= this.#o.memoryIncidents) return;
    const [oldest] = this.#ids.keys();
    this.#ids.delete(oldest as string);
    this.#recent = this.#recent.filter((e) => e.incidentId !== oldest);
  }
}

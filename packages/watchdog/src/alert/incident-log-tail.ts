/**
 * The agent's last log lines at the moment an incident opened, read once per incident and
 * handed to every alert of that incident and to its history. A read that has not settled in
 * READ_BUDGET_MS is not waited for: an alert must not be held up by a slow disk.
 */
import { type Clock, settledWithin } from '@vigil/shared';
import { readLogTail } from './agent-log-tail.js';

const READ_BUDGET_MS = 1000;
/** Incidents remembered; older ones have long been alerted on. */
const KEEP = 8;

export class IncidentLogTail {
  readonly #path: string | null;
  readonly #lines: number;
  readonly #clock: Clock;
  readonly #tails = new Map<string, Promise<string[]>>();

  /** `path` null (under systemd: the journal holds the log) or `lines` 0: no tails. */
  constructor(path: string | null, lines: number, clock: Clock) {
    this.#path = path;
    this.#lines = lines;
    this.#clock = clock;
  }

  /**
   * Starts reading the tail for an incident opened at `openedAt` (epoch ms); `onRead` gets the
   * lines when there are some.
   */
  capture(incidentId: string, openedAt: number, onRead: (lines: string[]) => void): void {
    if (this.#path === null || this.#lines <= 0) return;
    const tail = readLogTail(this.#path, this.#lines, openedAt);
    this.#tails.set(incidentId, tail);
    while (this.#tails.size > KEEP) this.#tails.delete(this.#tails.keys().next().value as string);
    void tail.then((lines) => {
      if (lines.length > 0) onRead(lines);
    });
  }

  /** The incident's tail, or undefined when none was read (or not within the budget). */
  async forIncident(incidentId: string): Promise<string[] | undefined> {
    const tail = this.#tails.get(incidentId);
    if (!tail) return undefined;
    if (!(await settledWithin(this.#clock, tail, READ_BUDGET_MS))) return undefined;
    const lines = await tail;
    return lines.length > 0 ? lines : undefined;
  }
}

/**
 * The app's own record of what happened to it: lines `started|hang|leak <pid> <epoch-ms>`
 * appended to one file per trial. The harness times everything from these lines.
 */
import { readFileSync } from 'node:fs';
import { waitFor } from './wait-for.mjs';

export class EventsFile {
  constructor(path) {
    this.path = path;
  }

  /** Every complete line so far, parsed: { event, pid, at }. */
  all() {
    let text;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch {
      return [];
    }
    const events = [];
    for (const line of text.split('\n')) {
      const match = /^(\w+) (\d+) (\d+)$/.exec(line);
      if (match) events.push({ event: match[1], pid: Number(match[2]), at: Number(match[3]) });
    }
    return events;
  }

  starts() {
    return this.all().filter((e) => e.event === 'started');
  }

  /** The first event matching `predicate`, waited for until `timeoutMs`. */
  waitFor(predicate, timeoutMs, what) {
    return waitFor(() => this.all().find(predicate), { timeoutMs, what, intervalMs: 10 });
  }

  /** The first `started` line of a process other than `pid`, at or after `since`. */
  nextStart(pid, since) {
    return this.all().find((e) => e.event === 'started' && e.pid !== pid && e.at >= since - 5) ?? null;
  }
}

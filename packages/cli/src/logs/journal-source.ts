/**
 * systemd mode: both units' lines from the journal through `journalctl -o json`. The tail is read
 * newest first (`-r`) and journalctl is stopped once enough lines matched, so a long journal
 * costs what is shown; following resumes after the newest entry's cursor, so nothing written
 * between the two is lost or shown twice.
 */
import { createInterface } from 'node:readline';
import { execa, type ResultPromise } from 'execa';
import { currentJournalAccessProblem } from '../systemd/journal-access.js';
import { type LogQuery, lowerBound, matches } from './filters.js';
import { JOURNAL_UNITS, parseJournalLine } from './journal-entry.js';
import type { LogRecord } from './log-record.js';
import type { FollowHandlers, LogSource } from './log-source.js';

type Journalctl = ResultPromise<{ buffer: false; reject: false; stdin: 'ignore'; stderr: 'inherit' }>;

export class JournalLogSource implements LogSource {
  readonly #query: LogQuery;
  readonly #journalctl: string;
  #cursor: string | null = null;
  #following: { subprocess: Journalctl; done: Promise<void> } | undefined;
  #stopping = false;

  constructor(query: LogQuery, journalctl = 'journalctl') {
    this.#query = query;
    this.#journalctl = journalctl;
  }

  #baseArgs(): string[] {
    const args = ['-o', 'json', '--all', '--no-pager'];
    for (const unit of this.#query.units) args.push('-u', JOURNAL_UNITS[unit]);
    const bound = lowerBound(this.#query);
    if (bound !== null) args.push('--since', `@${Math.floor(bound / 1000)}`);
    return args;
  }

  #spawn(args: string[]): Journalctl {
    return execa(this.#journalctl, args, {
      buffer: false,
      reject: false,
      stdin: 'ignore',
      stderr: 'inherit',
    });
  }

  async tail(): Promise<LogRecord[]> {
    const query = this.#query;
    const count = query.count ?? Number.POSITIVE_INFINITY;
    // journalctl can count for us only when every filter is one it applies exactly (its
    // --since is whole seconds, ours is ms).
    const journalCounts =
      query.minLevel <= 0 && query.incident === null && query.since === null && query.count !== null;
    const args = [...this.#baseArgs(), '-r', ...(journalCounts ? ['-n', String(query.count)] : [])];
    const subprocess = this.#spawn(args);
    const collected: LogRecord[] = [];
    let stoppedEarly = false;
    const lines = createInterface({ input: subprocess.stdout, crlfDelay: Number.POSITIVE_INFINITY });
    for await (const line of lines) {
      const entry = parseJournalLine(line);
      if (!entry) continue;
      this.#cursor ??= entry.cursor;
      if (collected.length < count && matches(query, entry.record)) collected.push(entry.record);
      if (collected.length >= count && this.#cursor !== null) {
        stoppedEarly = true;
        break;
      }
    }
    lines.close();
    if (stoppedEarly) {
      subprocess.stdout.destroy();
      subprocess.kill();
    }
    const result = await subprocess;
    if (!stoppedEarly) this.#check(result);
    return collected.reverse();
  }

  async follow(handlers: FollowHandlers): Promise<void> {
    const resume = this.#cursor === null ? ['-n', '0'] : [`--after-cursor=${this.#cursor}`];
    const subprocess = this.#spawn([...this.#baseArgs(), '-f', ...resume]);
    const lines = createInterface({ input: subprocess.stdout, crlfDelay: Number.POSITIVE_INFINITY });
    lines.on('line', (line) => {
      const entry = parseJournalLine(line);
      if (entry && matches(this.#query, entry.record)) handlers.emit([entry.record]);
    });
    const done = subprocess.then((result) => {
      if (this.#stopping) return;
      // Ctrl-C reaches the whole foreground process group: journalctl may see it first.
      if (result.isTerminated && ['SIGINT', 'SIGTERM', 'SIGHUP'].includes(result.signal ?? '')) {
        handlers.end(null);
        return;
      }
      try {
        this.#check(result);
        handlers.end(new Error(`${this.#journalctl} stopped following (exit code ${result.exitCode})`));
      } catch (error) {
        handlers.end(error as Error);
      }
    });
    this.#following = { subprocess, done };
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    if (!this.#following) return;
    this.#following.subprocess.kill();
    await this.#following.done;
  }

  #check(result: Awaited<Journalctl>): void {
    if (!result.failed) return;
    if (result.exitCode === undefined && !result.isTerminated) {
      throw new Error(`cannot run ${this.#journalctl}: ${result.shortMessage}`);
    }
    const access = currentJournalAccessProblem();
    throw new Error(
      `${this.#journalctl} failed (exit code ${result.exitCode ?? result.signal})${access ? `\n  hint: ${access}` : ''}`,
    );
  }
}

/** Where `vigil logs` reads from: the two files (embedded mode) or the journal (systemd). */
import type { LogRecord } from './log-record.js';

export interface FollowHandlers {
  /** New matching records, a batch at a time, in time order. */
  emit: (records: LogRecord[]) => void;
  /** Something went wrong but following goes on (an unreadable file is retried). */
  warn: (error: Error) => void;
  /** Following ended by itself: the journal reader failed, or (null) was stopped by a signal. */
  end: (error: Error | null) => void;
}

export interface LogSource {
  /** The last matching records, oldest first; null when there is nothing to read at all. */
  tail(): Promise<LogRecord[] | null>;
  /** Starts following from where `tail` stopped; resolves once following has begun. */
  follow(handlers: FollowHandlers): Promise<void>;
  stop(): Promise<void>;
}

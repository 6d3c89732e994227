/**
 * `state/history.jsonl`: one IncidentEvent per line, appended and fsync'd as it happens (a
 * watchdog killed mid-incident keeps the timeline so far), rotated past `maxBytes` to
 * history.jsonl.1 … .N. Reading skips a truncated or corrupt line with a warning and never
 * throws, so a damaged history never stops the watchdog from starting.
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import {
  compileSchema,
  type IncidentEvent,
  IncidentEvent as IncidentEventSchema,
  type Logger,
} from '@vigil/shared';

export interface HistoryFileOptions {
  path: string;
  maxBytes: number;
  keep: number;
  logger?: Logger | undefined;
}

let validate: ReturnType<typeof compileSchema<typeof IncidentEventSchema>> | undefined;

export class HistoryFile {
  readonly #o: HistoryFileOptions;
  #fd: number | undefined;
  #size = 0;

  constructor(options: HistoryFileOptions) {
    this.#o = options;
  }

  append(event: IncidentEvent): void {
    this.appendAll([event]);
  }

  /** Appends the events in order, then one fsync. */
  appendAll(events: readonly IncidentEvent[]): void {
    if (events.length === 0) return;
    if (this.#fd === undefined) this.#open();
    for (const event of events) {
      const line = `${JSON.stringify(event)}\n`;
      if (this.#size > 0 && this.#size + Buffer.byteLength(line) > this.#o.maxBytes) this.#rotate();
      this.#size += writeSync(this.#fd as number, line);
    }
    fsyncSync(this.#fd as number);
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }

  #open(): void {
    this.#fd = openSync(this.#o.path, 'a', 0o640);
    this.#size = statSync(this.#o.path).size;
  }

  #rotate(): void {
    this.close();
    const { path, keep } = this.#o;
    rmSync(`${path}.${keep}`, { force: true });
    for (let i = keep - 1; i >= 1; i--) {
      if (existsSync(`${path}.${i}`)) renameSync(`${path}.${i}`, `${path}.${i + 1}`);
    }
    renameSync(path, `${path}.1`);
    this.#open();
  }
}

export interface ReadHistoryResult {
  events: IncidentEvent[];
  skipped: number;
}

/** Every event in the history, oldest first, across rotated files. */
export function readHistory(path: string, keep = 10, logger?: Logger): ReadHistoryResult {
  validate ??= compileSchema(IncidentEventSchema);
  const events: IncidentEvent[] = [];
  let skipped = 0;
  const files = [...Array.from({ length: keep }, (_, i) => `${path}.${keep - i}`), path];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const lines = text.split('\n');
    lines.forEach((line, index) => {
      if (!line.trim()) return;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        skipped++;
        logger?.warn({ file, line: index + 1 }, 'skipped a corrupt line in the incident history');
        return;
      }
      const parsed = (validate as NonNullable<typeof validate>)(value);
      if (parsed.ok) events.push(parsed.value);
      else {
        skipped++;
        logger?.warn(
          { file, line: index + 1, errors: parsed.errors },
          'skipped an invalid line in the incident history',
        );
      }
    });
  }
  return { events, skipped };
}

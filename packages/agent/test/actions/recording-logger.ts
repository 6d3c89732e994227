/**
 * A real pino logger (the shared factory) writing to a temp file, and its records parsed back:
 * tests assert on fields, not on strings.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, type Logger } from '@vigil/shared';

export interface LogRecord {
  levelName: string;
  msg: string;
  [field: string]: unknown;
}

export interface RecordingLogger {
  logger: Logger;
  records(): LogRecord[];
  /** Records whose msg contains the text. */
  find(text: string): LogRecord[];
  dispose(): void;
}

export function recordingLogger(): RecordingLogger {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-actions-log-'));
  const file = join(dir, 'agent.log');
  const logger = createLogger({ component: 'agent', file, level: 'debug' });
  const records = (): LogRecord[] => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return [];
    }
    return text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as LogRecord);
  };
  return {
    logger,
    records,
    find: (text) => records().filter((r) => r.msg.includes(text)),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

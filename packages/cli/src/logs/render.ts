/**
 * How records are printed: pino-pretty lines with the component (colour only when asked, see
 * format.ts), or `--json`, the JSON lines themselves. The only module that loads pino-pretty,
 * and only `vigil logs` loads it, for the human view alone (it is ~100 files).
 */
import { escapeJsonText, printable, printableDeep } from '@vigil/shared/core';
import { type LogRecord, toJsonLine } from './log-record.js';

export type Render = (record: LogRecord) => string;

export async function createRenderer(options: { json: boolean; color: boolean }): Promise<Render> {
  if (options.json) return (record) => `${escapeJsonText(toJsonLine(record))}\n`;
  const { prettyFactory } = await import('pino-pretty');
  const pretty = prettyFactory({
    colorize: options.color,
    singleLine: true,
    translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l',
    ignore: 'pid,hostname,levelName,component,raw',
    messageFormat: (log, messageKey) => `${String(log.component).padEnd(8)} ${String(log[messageKey] ?? '')}`,
  });
  return (record) => {
    // Every field is the writer's text: escapes are written out. An error's stack keeps its lines
    // (pino-pretty indents them under the record); the message does not, so it cannot forge one.
    const log = printableDeep(record.json ?? { time: record.time, level: record.level, msg: record.line }, {
      newlines: true,
    });
    if (typeof log.msg === 'string') log.msg = printable(log.msg);
    const text = pretty({ ...log, component: log.component ?? record.unit });
    return text.endsWith('\n') ? text : `${text}\n`;
  };
}

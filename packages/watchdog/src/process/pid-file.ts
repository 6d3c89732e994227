/**
 * `run/agent.pid`: which process is the agent, written so that a restarted watchdog can adopt
 * it. Holds the pid, its start time from /proc (a reused pid has another), its command line and
 * the environment token of that start. Written atomically; read as untrusted input: a missing,
 * corrupt or implausible file (pid ≤ 1, empty command, a token of the wrong shape) just means
 * there is nothing to adopt.
 */
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  type AgentPidRecord,
  parseAgentPidRecord,
  readRegularFileInside,
  writeFileAtomic,
} from '@vigil/shared';

export type { AgentPidRecord } from '@vigil/shared';

const MAX_BYTES = 256 * 1024;

export function writePidFile(path: string, record: AgentPidRecord): void {
  // The first line is the bare pid, for tools that expect a classic pid file.
  writeFileAtomic(path, `${record.pid}\n${JSON.stringify(record)}\n`, { mode: 0o644 });
}

/** The record in a pid file's text, or why there is none. */
export function parsePidFile(text: string): { record: AgentPidRecord } | { problem: string } {
  const [first, json, ...rest] = text.split('\n');
  if (rest.some((line) => line !== '')) return { problem: 'unexpected lines after the record' };
  let value: unknown;
  try {
    value = JSON.parse(json ?? '');
  } catch {
    return { problem: 'the record is not JSON' };
  }
  const parsed = parseAgentPidRecord(value);
  if (!parsed.ok) return { problem: parsed.errors.join('; ') };
  const { pid, startTicks, startedAt, cmdline, instance, watchdogPid } = parsed.value;
  if (first !== String(pid)) return { problem: `the first line does not name pid ${pid}` };
  if (cmdline[0] === '') return { problem: 'cmdline names no program' };
  // Only the record's own fields: nothing else in the file is carried along.
  return { record: { pid, startTicks, startedAt, cmdline, instance, watchdogPid } };
}

export function readPidFile(path: string): AgentPidRecord | null {
  // A regular file only (no link followed, no FIFO to block on), and bounded; checked from the
  // home down, so a run folder that is a link out of the home is not read through either.
  const text = readRegularFileInside(path, { within: dirname(dirname(path)), maxBytes: MAX_BYTES });
  if (text === null) return null;
  const parsed = parsePidFile(text);
  return 'record' in parsed ? parsed.record : null;
}

export function removePidFile(path: string): void {
  rmSync(path, { force: true });
}

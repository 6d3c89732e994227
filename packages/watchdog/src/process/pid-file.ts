/**
 * `run/agent.pid`: which process is the agent, written so that a restarted watchdog can adopt
 * it. Holds the pid, its start time from /proc (a reused pid has another), its command line and
 * the environment token of that start. Written atomically; read as untrusted input: a missing,
 * corrupt or implausible file (pid ≤ 1, empty command, a token of the wrong shape) just means
 * there is nothing to adopt.
 */
import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { readRegularFileInside, writeFileAtomic } from '@vigil/shared';

export interface AgentPidRecord {
  pid: number;
  startTicks: number;
  /** Epoch ms at spawn. */
  startedAt: number;
  cmdline: string[];
  instance: string;
  watchdogPid: number;
}

/** A random UUID (embedded mode) or a systemd invocation id (32 hex digits). */
const TOKEN = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32})$/;
const MAX_BYTES = 256 * 1024;

export function writePidFile(path: string, record: AgentPidRecord): void {
  // The first line is the bare pid, for tools that expect a classic pid file.
  writeFileAtomic(path, `${record.pid}\n${JSON.stringify(record)}\n`, { mode: 0o644 });
}

const isPid = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) > 1;

/** The record in a pid file's text, or why there is none. */
export function parsePidFile(text: string): { record: AgentPidRecord } | { problem: string } {
  const [first, json, ...rest] = text.split('\n');
  if (rest.some((line) => line !== '')) return { problem: 'unexpected lines after the record' };
  let value: Partial<Record<keyof AgentPidRecord, unknown>>;
  try {
    value = JSON.parse(json ?? '');
  } catch {
    return { problem: 'the record is not JSON' };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { problem: 'the record is not an object' };
  }
  const { pid, startTicks, startedAt, cmdline, instance, watchdogPid } = value;
  if (!isPid(pid)) return { problem: `pid ${JSON.stringify(pid)} is not an integer above 1` };
  if (first !== String(pid)) return { problem: `the first line does not name pid ${pid}` };
  if (!Number.isSafeInteger(startTicks) || (startTicks as number) <= 0) {
    return { problem: 'startTicks is not a positive integer' };
  }
  if (typeof startedAt !== 'number' || !Number.isFinite(startedAt) || startedAt < 0) {
    return { problem: 'startedAt is not a time' };
  }
  if (
    !Array.isArray(cmdline) ||
    cmdline.length === 0 ||
    !cmdline.every((arg) => typeof arg === 'string' && !arg.includes('\0')) ||
    cmdline[0] === ''
  ) {
    return { problem: 'cmdline is not a non-empty list of strings' };
  }
  if (typeof instance !== 'string' || !TOKEN.test(instance)) {
    return { problem: 'instance is not an instance token' };
  }
  if (!isPid(watchdogPid)) return { problem: 'watchdogPid is not an integer above 1' };
  return { record: { pid, startTicks: startTicks as number, startedAt, cmdline, instance, watchdogPid } };
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

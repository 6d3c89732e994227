/**
 * `run/agent.pid`: which process is the agent, written so that a restarted watchdog can adopt
 * it. Holds the pid, its start time from /proc (a reused pid has another), its command line and
 * the environment token of that start. Written atomically; a missing or corrupt file just means
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

export function writePidFile(path: string, record: AgentPidRecord): void {
  // The first line is the bare pid, for tools that expect a classic pid file.
  writeFileAtomic(path, `${record.pid}\n${JSON.stringify(record)}\n`, { mode: 0o644 });
}

export function readPidFile(path: string): AgentPidRecord | null {
  // Not followed if a link, never blocking if a FIFO: the run folder is ours, its contents may not be.
  const text = readRegularFileInside(path, { within: dirname(dirname(path)), maxBytes: 64 * 1024 });
  if (text === null) return null;
  const [, json] = text.split('\n');
  try {
    const value = JSON.parse(json ?? '') as Partial<AgentPidRecord>;
    if (
      Number.isInteger(value.pid) &&
      Number.isInteger(value.startTicks) &&
      Array.isArray(value.cmdline) &&
      typeof value.instance === 'string'
    ) {
      return value as AgentPidRecord;
    }
  } catch {
    // Corrupt: treated as absent.
  }
  return null;
}

export function removePidFile(path: string): void {
  rmSync(path, { force: true });
}

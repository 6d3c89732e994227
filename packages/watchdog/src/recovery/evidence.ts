/**
 * Evidence before a hard kill of a running-but-unresponsive agent: the top of its JS stack, so
 * the operator sees the line that hung. Two sources, fastest first:
 *  1. the agent's stall sentinel (a worker thread that pauses the blocked main thread through the
 *     inspector and writes its stack) — already on disk by the time the heartbeat is declared
 *     lost, so it costs no wait;
 *  2. a Node diagnostic report (SIGUSR2 with --report-on-signal), waited for at most
 *     `timeoutMs` — it works when the loop still turns but heartbeats stopped, and not when the
 *     loop is blocked (report-on-signal runs on the loop).
 * A stopped process (SIGSTOP) can produce neither; its state is the evidence.
 */
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Evidence } from '@vigil/shared';
import { readProcStat } from '../process/proc-stat.js';

export interface CollectEvidenceOptions {
  pid: number;
  stallFile: string | undefined;
  reportDir: string;
  /** Epoch ms of the last heartbeat: a stall record older than that is about an earlier stall. */
  lastBeatWall: number;
  timeoutMs: number;
  sendSignal(signal: NodeJS.Signals): boolean;
  topFrames?: number;
}

interface StallRecord {
  pid: number;
  at: number;
  blockedMs?: number;
  stack: string[];
}

function readStall(file: string | undefined, pid: number, notBefore: number): StallRecord | null {
  if (!file) return null;
  try {
    const record = JSON.parse(readFileSync(file, 'utf8')) as StallRecord;
    return record.pid === pid && record.at >= notBefore && Array.isArray(record.stack) ? record : null;
  } catch {
    return null;
  }
}

function reportsOf(dir: string, pid: number): string[] {
  try {
    return readdirSync(dir).filter(
      (name) => name.startsWith('report.') && name.includes(`.${pid}.`) && name.endsWith('.json'),
    );
  } catch {
    return [];
  }
}

function readReportStack(file: string): string[] | null {
  try {
    const report = JSON.parse(readFileSync(file, 'utf8')) as { javascriptStack?: { stack?: unknown } };
    const stack = report.javascriptStack?.stack;
    return Array.isArray(stack) ? stack.map((frame) => String(frame).trim().replace(/^at /, '')) : [];
  } catch {
    // Still being written.
    return null;
  }
}

export async function collectEvidence(options: CollectEvidenceOptions): Promise<Evidence> {
  const top = options.topFrames ?? 10;
  const state = readProcStat(options.pid)?.state;
  if (state === undefined) return { note: 'the agent had already exited' };
  if (state === 'T' || state === 't') {
    return { processState: state, note: 'the process was stopped (SIGSTOP): no stack can be taken' };
  }
  const notBefore = options.lastBeatWall - 100;
  // The sentinel may write while we wait for a report, so it is looked for on every poll.
  const fromSentinel = (): Evidence | undefined => {
    const stall = readStall(options.stallFile, options.pid, notBefore);
    return stall
      ? {
          source: 'stall-sentinel',
          reportPath: options.stallFile as string,
          stack: stall.stack.slice(0, top),
          processState: state,
        }
      : undefined;
  };
  const early = fromSentinel();
  if (early) return early;
  const before = new Set(reportsOf(options.reportDir, options.pid));
  options.sendSignal('SIGUSR2');
  const deadline = Date.now() + options.timeoutMs;
  while (Date.now() < deadline) {
    await sleep(25);
    const late = fromSentinel();
    if (late) return late;
    for (const name of reportsOf(options.reportDir, options.pid)) {
      if (before.has(name)) continue;
      const path = join(options.reportDir, name);
      const stack = readReportStack(path);
      if (stack)
        return {
          source: 'diagnostic-report',
          reportPath: path,
          stack: stack.slice(0, top),
          processState: state,
        };
    }
  }
  return {
    processState: state,
    note: `no diagnostic report within ${options.timeoutMs} ms (a blocked event loop cannot write one; start the agent with the vigil SDK for its stall sentinel)`,
  };
}

/** Keeps the report directory bounded: the newest `keep` files stay. */
export function pruneReports(dir: string, keep = 20): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  const files = names
    .map((name) => {
      try {
        return { path: join(dir, name), mtime: statSync(join(dir, name)).mtimeMs };
      } catch {
        return null;
      }
    })
    .filter((f): f is { path: string; mtime: number } => f !== null)
    .sort((a, b) => b.mtime - a.mtime);
  for (const file of files.slice(keep)) rmSync(file.path, { force: true });
}

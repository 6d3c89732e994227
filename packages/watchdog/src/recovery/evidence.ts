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
import { lstatSync, readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { type Clock, type Evidence, hostMonotonicMs, readRegularFileInside } from '@vigil/shared';
import { readProcStat } from '../process/proc-stat.js';

/** A stall record is a few frames; a diagnostic report is larger but still bounded. */
const MAX_STALL_BYTES = 256 * 1024;
const MAX_REPORT_BYTES = 32 * 1024 * 1024;
const POLL_MS = 25;

export interface CollectEvidenceOptions {
  pid: number;
  /** Named by the agent in its hello: read only if a regular file inside `stateDir`. */
  stallFile: string | undefined;
  reportDir: string;
  stateDir: string;
  /** Monotonic age of the last heartbeat: a stall recorded before it is about an earlier stall. */
  lastBeatAgoMs: number;
  timeoutMs: number;
  clock: Clock;
  sendSignal(signal: NodeJS.Signals): boolean;
  topFrames?: number;
}

interface StallRecord {
  pid: number;
  /** Epoch ms (wall): only used for a record without `monoMs`. */
  at: number;
  /** CLOCK_MONOTONIC ms when it was written (process.hrtime, the same clock in every process). */
  monoMs?: number;
  blockedMs?: number;
  stack: string[];
}

/** CLOCK_MONOTONIC in ms, comparable with a record's `monoMs` (written by another process). */
export function monotonicMs(): number {
  return hostMonotonicMs();
}

function readStall(options: CollectEvidenceOptions, beatAgoMs: number): StallRecord | null {
  if (!options.stallFile) return null;
  const text = readRegularFileInside(options.stallFile, {
    within: options.stateDir,
    maxBytes: MAX_STALL_BYTES,
  });
  if (text === null) return null;
  let record: StallRecord;
  try {
    record = JSON.parse(text) as StallRecord;
  } catch {
    return null;
  }
  if (!record || record.pid !== options.pid || !Array.isArray(record.stack)) return null;
  // Ages, not timestamps: a wall-clock step must neither hide a fresh stall nor show an old one.
  const recordAgoMs =
    typeof record.monoMs === 'number'
      ? monotonicMs() - record.monoMs
      : options.clock.wallNow() - (typeof record.at === 'number' ? record.at : 0);
  return recordAgoMs <= beatAgoMs + 100 ? record : null;
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

function readReportStack(file: string, stateDir: string): string[] | null {
  const text = readRegularFileInside(file, { within: stateDir, maxBytes: MAX_REPORT_BYTES });
  if (text === null) return null;
  try {
    const report = JSON.parse(text) as { javascriptStack?: { stack?: unknown } };
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
  const { clock } = options;
  const startedAt = clock.now();
  // The sentinel may write while we wait for a report, so it is looked for on every poll.
  const fromSentinel = (): Evidence | undefined => {
    const stall = readStall(options, options.lastBeatAgoMs + (clock.now() - startedAt));
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
  const deadline = startedAt + options.timeoutMs;
  while (clock.now() < deadline) {
    await new Promise<void>((resolve) =>
      clock.setTimeout(resolve, Math.min(POLL_MS, deadline - clock.now())),
    );
    const late = fromSentinel();
    if (late) return late;
    for (const name of reportsOf(options.reportDir, options.pid)) {
      if (before.has(name)) continue;
      const path = join(options.reportDir, name);
      const stack = readReportStack(path, options.stateDir);
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
        const st = lstatSync(join(dir, name));
        return st.isDirectory() ? null : { path: join(dir, name), mtime: st.mtimeMs };
      } catch {
        return null;
      }
    })
    .filter((f): f is { path: string; mtime: number } => f !== null)
    .sort((a, b) => b.mtime - a.mtime);
  for (const file of files.slice(keep)) {
    try {
      unlinkSync(file.path);
    } catch {
      // Already gone.
    }
  }
}

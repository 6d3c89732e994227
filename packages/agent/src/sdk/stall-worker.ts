/**
 * The stall sentinel's worker (see stall-sentinel.ts). It must never need the main thread:
 * console output goes through the main thread, so it writes files with synchronous fs calls.
 * It loads nothing but node: modules (a worker re-loads what it imports), so the atomic write
 * is spelled out here as writeFileAtomic in @vigil/shared does it: a new temp file (O_EXCL,
 * O_NOFOLLOW, a random name, so nothing planted is written through), then rename(2).
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { type Debugger, Session } from 'node:inspector';
import { fileURLToPath } from 'node:url';
import { workerData } from 'node:worker_threads';
import type { StallReport, StallWorkerData } from './stall-sentinel.js';

const CHECK_MS = 100;
/** A main thread inside a long native call cannot pause; write what we know after this long. */
const PAUSE_TIMEOUT_MS = 1000;

const data = workerData as StallWorkerData;
const counter = new Int32Array(data.counter);
const scripts = new Map<string, string>();
const session = new Session();

/** A stall being captured: since when the loop has stood still. */
let pending: { since: number; timer: NodeJS.Timeout } | undefined;

function where(url: string): string {
  if (!url.startsWith('file:')) return url;
  try {
    return fileURLToPath(url);
  } catch {
    return url;
  }
}

function describeFrame(frame: Debugger.CallFrame): string {
  const url = frame.url || scripts.get(frame.location.scriptId) || '<unknown>';
  const line = frame.location.lineNumber + 1;
  const column = (frame.location.columnNumber ?? 0) + 1;
  return `${frame.functionName || '<anonymous>'} (${where(url)}:${line}:${column})`;
}

function isNodeInternal(frame: Debugger.CallFrame): boolean {
  return (frame.url || scripts.get(frame.location.scriptId) || '').startsWith('node:');
}

/**
 * The pause often lands inside Node's own JavaScript (a getter, util.inspect, a stream) that the
 * stuck code keeps calling; the line that hung is the first frame of the application's below
 * them. Those leading frames are dropped; if there is no application frame, all are kept.
 */
function fromApplication(frames: Debugger.CallFrame[]): Debugger.CallFrame[] {
  const first = frames.findIndex((frame) => !isNodeInternal(frame));
  return first > 0 ? frames.slice(first) : frames;
}

function write(blockedMs: number, stack: string[]): void {
  const report: StallReport = {
    pid: data.pid,
    at: Date.now(),
    // The system's monotonic clock, the same in the watchdog: it judges freshness by age.
    monoMs: Number(process.hrtime.bigint() / 1_000_000n),
    blockedMs: Math.round(blockedMs),
    stack,
  };
  const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = constants;
  const tmp = `${data.file}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const fd = openSync(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o640);
    try {
      const bytes = Buffer.from(`${JSON.stringify(report)}\n`);
      for (let at = 0; at < bytes.length; ) {
        const n = writeSync(fd, bytes, at);
        if (n <= 0) throw new Error('short write');
        at += n;
      }
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, data.file);
  } catch {
    // Nowhere to say so without the main thread; the watchdog just finds no evidence.
    try {
      unlinkSync(tmp);
    } catch {
      // Never created, or already renamed.
    }
  }
}

session.connectToMainThread();
session.on('Debugger.scriptParsed', ({ params }) => {
  if (params.url) scripts.set(params.scriptId, params.url);
});
session.on('Debugger.paused', ({ params }) => {
  const stack = fromApplication(params.callFrames).slice(0, data.maxFrames).map(describeFrame);
  // Resume first: the main thread must not stay paused one moment longer than needed.
  session.post('Debugger.resume');
  if (!pending) return;
  clearTimeout(pending.timer);
  write(performance.now() - pending.since, stack);
  pending = undefined;
});
// Enabled now, while the main thread is free to answer; it cannot once it is blocked.
session.post('Debugger.enable');

function capture(since: number): void {
  const timer = setTimeout(() => {
    if (!pending) return;
    write(performance.now() - pending.since, [`<main thread did not pause within ${PAUSE_TIMEOUT_MS} ms>`]);
    pending = undefined;
  }, PAUSE_TIMEOUT_MS);
  pending = { since, timer };
  session.post('Debugger.pause');
}

let last = Atomics.load(counter, 0);
let movedAt = performance.now();
let armed = true;
// Also what keeps this worker alive: the main thread has unref'd it.
setInterval(() => {
  const now = performance.now();
  const value = Atomics.load(counter, 0);
  if (value !== last) {
    last = value;
    movedAt = now;
    armed = true;
    return;
  }
  if (armed && !pending && now - movedAt >= data.stallMs) {
    armed = false;
    capture(movedAt);
  }
}, CHECK_MS);

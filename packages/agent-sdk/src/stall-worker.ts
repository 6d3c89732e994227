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

/** A main thread inside a long native call cannot pause; write what we know after this long. */
const PAUSE_TIMEOUT_MS = 1000;
/** A stall this old is past any deadline the watchdog keeps; sample it slowly from then on. */
const LONG_STALL_MS = 60_000;
const LONG_STALL_SAMPLE_MS = 5000;
/** Distinct top frames counted per stall; more are counted in `samples` only. */
const MAX_TALLIED_FRAMES = 8;
const TOP_FRAMES_WRITTEN = 5;

const data = workerData as StallWorkerData;
const counter = new Int32Array(data.counter);
const scripts = new Map<string, string>();
const session = new Session();
// Often enough that the stack the watchdog reads when it declares the loop hung is recent.
const sampleMs = Math.max(data.checkMs, Math.floor(data.stallMs / 2));

/** The stall in progress: since when the loop has stood still, and what its samples saw. */
interface Stall {
  since: number;
  samples: number;
  tally: Map<string, number>;
  stack: string[] | undefined;
  nextSampleAt: number;
  /** The file names this stall: removed when the loop moves again. */
  written: boolean;
}
let stall: Stall | undefined;
/** A pause asked for and not yet landed. */
let pausing: NodeJS.Timeout | undefined;

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

function write(current: Stall, blockedMs: number, stack: string[]): void {
  const topFrames = [...current.tally]
    .sort((a, b) => b[1] - a[1])
    .slice(0, TOP_FRAMES_WRITTEN)
    .map(([frame, samples]) => ({ frame, samples }));
  const report: StallReport = {
    pid: data.pid,
    at: Date.now(),
    // The system's monotonic clock, the same in the watchdog: it judges freshness by age.
    monoMs: Number(process.hrtime.bigint() / 1_000_000n),
    blockedMs: Math.round(blockedMs),
    stack,
    samples: current.samples,
    topFrames,
  };
  const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = constants;
  const tmp = `${data.file}.${randomBytes(4).toString('hex')}.tmp`;
  let made = false;
  try {
    const fd = openSync(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o640);
    made = true;
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
    current.written = true;
  } catch {
    // Nowhere to say so without the main thread; the watchdog just finds no evidence. Only a
    // temp file this write made is removed (an O_EXCL failure means the name was another's).
    try {
      if (made) unlinkSync(tmp);
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
  if (pausing === undefined) return;
  clearTimeout(pausing);
  pausing = undefined;
  if (!stall) return; // The loop moved on before the pause landed.
  stall.samples += 1;
  const top = stack[0] ?? '<no frame>';
  const seen = stall.tally.get(top);
  if (seen !== undefined || stall.tally.size < MAX_TALLIED_FRAMES) stall.tally.set(top, (seen ?? 0) + 1);
  stall.stack = stack;
  // Rewritten on every sample: the file names where the thread is now, not where it first looked slow.
  write(stall, performance.now() - stall.since, stack);
});
// Enabled now, while the main thread is free to answer; it cannot once it is blocked.
session.post('Debugger.enable');

function removeStallFile(): void {
  try {
    unlinkSync(data.file);
  } catch {
    // Already gone (the watchdog may take it as evidence).
  }
}

function sample(current: Stall): void {
  pausing = setTimeout(() => {
    pausing = undefined;
    // A stack from an earlier sample says more than this note; keep it.
    if (stall !== current || current.stack) return;
    const note = `<main thread did not pause within ${PAUSE_TIMEOUT_MS} ms>`;
    write(current, performance.now() - current.since, [note]);
  }, PAUSE_TIMEOUT_MS);
  session.post('Debugger.pause');
}

let last = Atomics.load(counter, 0);
let movedAt = performance.now();
// Also what keeps this worker alive: the main thread has unref'd it.
setInterval(() => {
  const now = performance.now();
  const value = Atomics.load(counter, 0);
  if (value !== last) {
    last = value;
    movedAt = now;
    // A stall that ended is no evidence of a hang: the file exists only while one lasts, so
    // neither the watchdog nor an operator reads an earlier, slow moment as the hang.
    if (stall?.written) removeStallFile();
    stall = undefined;
    return;
  }
  if (now - movedAt < data.stallMs) return;
  stall ??= {
    since: movedAt,
    samples: 0,
    tally: new Map(),
    stack: undefined,
    nextSampleAt: now,
    written: false,
  };
  if (pausing !== undefined || now < stall.nextSampleAt) return;
  stall.nextSampleAt = now + (now - stall.since >= LONG_STALL_MS ? LONG_STALL_SAMPLE_MS : sampleMs);
  sample(stall);
}, data.checkMs);

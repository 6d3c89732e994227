/**
 * Evidence for a hung event loop. A diagnostic report on a signal needs the main loop to run,
 * so it never comes while the loop is blocked; this sentinel does not. The main thread bumps a
 * shared counter on the agent's pulse (the heartbeat's own wakeup: every 250 ms by default, a
 * third of `stallMs` if that is shorter); a worker thread looks at it every `stallMs / 2` (at
 * most every 375 ms), and when it stands still for `stallMs`, pauses the main thread through
 * the inspector, records the top of its stack, and writes `stall-<pid>.json` to the report
 * directory for the watchdog to pick up. It keeps
 * sampling (every `stallMs / 2`) while the stall lasts and rewrites the file each time, so when
 * the watchdog declares the loop hung the file names where the thread is then — a start that
 * was merely slow in one place before it blocked in another is not blamed for the hang. The
 * file is removed when the loop moves again: it exists only while a stall lasts.
 */
import { lstatSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Logger } from '@vigil/shared';
import { sdkErrors } from './errors.js';
import { LAG_RESOLUTION_MS, ride } from './pulse.js';

/**
 * How often the counter is bumped: the pulse's period when the heartbeat sets it, so the bump
 * costs no wakeup of its own, and a third of the stall window at most, so an on-time loop
 * never looks still.
 */
export function sentinelPeriodMs(stallMs: number): number {
  return Math.max(20, Math.min(LAG_RESOLUTION_MS, Math.floor(stallMs / 3)));
}

/**
 * How often the worker looks at the counter. Each look wakes the process (~200 µs on a small
 * VM), so it looks at half the stall window, at most every 375 ms: a stall is seen at most
 * `stallMs` plus one look after the last bump (1.1 s at the bundled agent's 750 ms, 1.4 s at
 * the SDK's default 1000 ms), so the stack is on disk by the watchdog's 1.5 s deadline.
 */
export function sentinelLookMs(stallMs: number): number {
  return Math.max(20, Math.min(375, Math.floor(stallMs / 2)));
}

export interface StallSentinelOptions {
  /** Created when missing. */
  reportDir: string;
  /** How long the loop may stand still before it counts as a stall; default 1000. */
  stallMs?: number;
  /** Stack frames kept; default 10. */
  maxFrames?: number;
  logger?: Logger;
}

/** What the worker writes, and the watchdog reads. */
export interface StallReport {
  pid: number;
  /** Epoch ms when the stall was recorded. */
  at: number;
  /** CLOCK_MONOTONIC ms when it was recorded (process.hrtime): immune to wall-clock steps. */
  monoMs: number;
  /** How long the loop had stood still when the stack was taken. */
  blockedMs: number;
  /** The latest sample: `functionName (file:line:col)`, innermost first; 1-based line and column. */
  stack: string[];
  /** How many stacks this stall has sampled so far (absent in records of older agents). */
  samples?: number;
  /** The top frames seen across this stall's samples, most often first. */
  topFrames?: { frame: string; samples: number }[];
}

export interface StallWorkerData {
  counter: SharedArrayBuffer;
  stallMs: number;
  /** How often the worker looks at the counter (sentinelLookMs). */
  checkMs: number;
  maxFrames: number;
  file: string;
  pid: number;
}

export interface StallSentinel {
  /** Where a stall is written: `${reportDir}/stall-${pid}.json`. */
  readonly file: string;
  stop(): Promise<void>;
}

export function stallFilePath(reportDir: string, pid = process.pid): string {
  return join(reportDir, `stall-${pid}.json`);
}

export function startStallSentinel(options: StallSentinelOptions): StallSentinel {
  const file = stallFilePath(options.reportDir);
  mkdirSync(options.reportDir, { recursive: true, mode: 0o750 });
  // A link there would aim the stall file elsewhere; the folder's mode is the service's own business.
  if (!lstatSync(options.reportDir).isDirectory()) {
    throw sdkErrors.create('VIGIL_STALL_SENTINEL_FAILED', `${options.reportDir} is not a folder (a link?)`);
  }
  const counter = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
  const view = new Int32Array(counter);
  const stallMs = options.stallMs ?? 1000;
  // Not ref'd: the sentinel alone never keeps the process alive.
  const bump = ride(sentinelPeriodMs(stallMs), () => Atomics.add(view, 0, 1));

  const workerData: StallWorkerData = {
    counter,
    stallMs,
    checkMs: sentinelLookMs(stallMs),
    maxFrames: options.maxFrames ?? 10,
    file,
    pid: process.pid,
  };
  const worker = new Worker(new URL('./stall-worker.js', import.meta.url), { workerData });
  worker.unref();
  let stopping = false;
  worker.on('error', (cause) => {
    const message = `stall sentinel failed: ${cause.message}`;
    const error = sdkErrors.create('VIGIL_STALL_SENTINEL_FAILED', message, { cause });
    options.logger?.warn({ err: error }, error.message);
  });
  worker.on('exit', (code) => {
    bump.stop();
    if (!stopping) options.logger?.warn({ code }, 'stall sentinel exited; no evidence for a blocked loop');
  });

  return {
    file,
    async stop() {
      stopping = true;
      bump.stop();
      await worker.terminate();
    },
  };
}

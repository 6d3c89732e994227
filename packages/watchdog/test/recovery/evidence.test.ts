import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Clock, systemClock } from '@vigil/shared';
import { FakeClock } from '@vigil/shared/testing';
import { type CollectEvidenceOptions, collectEvidence, monotonicMs } from '../../src/recovery/evidence.ts';

const ROOT = fileURLToPath(new URL('../../../..', import.meta.url));
const COLLECTS = fileURLToPath(new URL('./fixtures/collects-evidence.ts', import.meta.url));
const dir = mkdtempSync('/tmp/vg-evidence-');
after(() => rmSync(dir, { recursive: true, force: true }));

function stateDir(name: string): string {
  const state = join(dir, name);
  mkdirSync(join(state, 'reports'), { recursive: true });
  return state;
}

const stall = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    pid: process.pid,
    at: Date.now(),
    monoMs: monotonicMs(),
    stack: ['spin (app.js:3:1)'],
    ...extra,
  });

function options(
  state: string,
  stallFile: string,
  over: Partial<CollectEvidenceOptions> = {},
): CollectEvidenceOptions {
  return {
    pid: process.pid,
    stallFile,
    reportDir: join(state, 'reports'),
    stateDir: state,
    lastBeatAgoMs: 1000,
    timeoutMs: 60,
    clock: systemClock,
    sendSignal: () => true,
    ...over,
  };
}

describe('evidence before a hard stop', () => {
  test('a FIFO named as the stall file, and one where a report appears, do not block: the call returns', async () => {
    const state = stateDir('fifo');
    const fifo = join(state, 'reports', 'stall-1.json');
    execFileSync('mkfifo', [fifo]);
    const child = spawn(process.execPath, ['--import', 'tsx', COLLECTS, state, fifo], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve(null);
      }, 20_000);
      child.once('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    assert.equal(code, 0, 'the evidence call returned (a blocked open would hang it)');
    const evidence = JSON.parse(out) as { stack?: string[]; note?: string };
    assert.equal(evidence.stack, undefined);
    assert.match(evidence.note ?? '', /no diagnostic report within 300 ms/);
  });

  test('a stall file outside the state folder, or a link to one, is never read', async () => {
    const state = stateDir('outside');
    const outside = join(dir, 'outside-stall.json');
    writeFileSync(outside, stall());
    assert.equal((await collectEvidence(options(state, outside))).stack, undefined);
    const link = join(state, 'reports', `stall-${process.pid}.json`);
    symlinkSync(outside, link);
    assert.equal((await collectEvidence(options(state, link))).stack, undefined);
    assert.equal(
      (await collectEvidence(options(state, join(state, 'reports', '..', '..', 'outside-stall.json')))).stack,
      undefined,
    );
    const inside = join(state, 'reports', 'stall-inside.json');
    writeFileSync(inside, stall());
    assert.deepEqual((await collectEvidence(options(state, inside))).stack, ['spin (app.js:3:1)']);
  });

  test('freshness is judged by monotonic age: a wall-clock step neither hides a fresh stall nor revives an old one', async () => {
    const state = stateDir('ages');
    const file = join(state, 'reports', 'stall.json');
    // Written just now, but the wall clock said an hour earlier (it was stepped since).
    writeFileSync(file, stall({ at: Date.now() - 3_600_000 }));
    assert.deepEqual((await collectEvidence(options(state, file))).stack, ['spin (app.js:3:1)']);
    // Written 5 s before the last heartbeat (an earlier stall), with a wall time that looks fresh.
    writeFileSync(file, stall({ at: Date.now(), monoMs: monotonicMs() - 6000 }));
    assert.equal((await collectEvidence(options(state, file))).stack, undefined);
  });

  test('the wait for a report is bounded by the injected monotonic clock, not by wall time', async () => {
    const state = stateDir('clock');
    const fake = new FakeClock();
    // A wall clock stepped back an hour in the middle of the wait.
    let step = 0;
    const clock: Clock = {
      now: () => fake.now(),
      wallNow: () => fake.wallNow() - step,
      setTimeout: (fn, ms) => fake.setTimeout(fn, ms),
      setInterval: (fn, ms) => fake.setInterval(fn, ms),
      clearTimeout: (handle) => fake.clearTimeout(handle),
    };
    let done = false;
    const pending = collectEvidence(
      options(state, join(state, 'none.json'), { clock, timeoutMs: 1000 }),
    ).then((e) => {
      done = true;
      return e;
    });
    let turns = 0;
    while (!done) {
      if (turns === 5) step = 3_600_000;
      fake.advance(25);
      turns++;
      await new Promise((resolve) => setImmediate(resolve));
      assert.ok(turns < 100, `still waiting after ${turns * 25} ms of monotonic time`);
    }
    assert.ok(turns >= 40, `it waited the whole ${1000} ms (${turns * 25} ms)`);
    assert.match((await pending).note ?? '', /no diagnostic report within 1000 ms/);
  });
});

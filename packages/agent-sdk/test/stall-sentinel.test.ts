import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type StallReport, startStallSentinel } from '@vigil/agent-sdk';
import { ChildProcesses, paced, waitFor } from '@vigil/shared/testing';
import { FakeWatchdog } from './support/fake-watchdog.ts';

const FIXTURE = fileURLToPath(new URL('./fixtures/spin-for-test.mjs', import.meta.url));
const SLOW_THEN_BLOCKS = fileURLToPath(new URL('./fixtures/slow-then-blocks.mjs', import.meta.url));
const BUSY_CPU = fileURLToPath(new URL('./fixtures/busy-cpu.mjs', import.meta.url));
const SPIN_LINE =
  readFileSync(FIXTURE, 'utf8')
    .split('\n')
    .findIndex((l) => l.includes('SPIN-LINE')) + 1;

describe('stall sentinel', () => {
  const children = new ChildProcesses();
  const watchdogs: FakeWatchdog[] = [];

  afterEach(async () => {
    await children.killAll();
    await Promise.all(watchdogs.splice(0).map((w) => w.dispose()));
  });
  after(() => children.killAll());

  /** Starts the fixture against a fake watchdog and waits for its stall file. */
  async function stallOf(env: Record<string, string> = {}, afterHello?: (stallFile: string) => void) {
    const watchdog = await FakeWatchdog.start();
    watchdogs.push(watchdog);
    const reportDir = join(watchdog.dir, 'reports');
    const { child, stdout } = children.spawn(FIXTURE, {
      VIGIL_AGENT_SOCKET: watchdog.path,
      VIGIL_REPORT_DIR: reportDir,
      VIGIL_STALL_MS: '500',
      ...env,
    });
    const [hello] = await watchdog.waitForHellos(1, 10_000);
    const stallFile = join(reportDir, `stall-${child.pid}.json`);
    afterHello?.(stallFile);
    const began = await waitFor(
      () => Number(/^spinning (\d+)$/m.exec(stdout())?.[1]) || undefined,
      paced(10_000),
      'the spin',
    );
    // A record of the spin, not of a slow moment before it (a start on a loaded host).
    const report = await waitFor(
      () => {
        if (!existsSync(stallFile)) return undefined;
        const read = JSON.parse(readFileSync(stallFile, 'utf8')) as StallReport;
        return read.monoMs >= began ? read : undefined;
      },
      paced(10_000),
      'the stall file',
    );
    return { child, hello, stallFile, report };
  }

  test('a blocked loop leaves a stall file whose first frame is the spinning function', async () => {
    const { child, hello, stallFile, report } = await stallOf();
    assert.equal(hello?.stallFile, stallFile);
    assert.equal(report.pid, child.pid);
    assert.ok(report.blockedMs >= 500, `blockedMs ${report.blockedMs}`);
    assert.ok(Math.abs(Date.now() - report.at) < 10_000);
    assert.ok(report.stack.length >= 1 && report.stack.length <= 10);
    const top = report.stack[0] ?? '';
    assert.match(top, /^spinForTest \(/);
    assert.ok(top.includes(`${FIXTURE}:${SPIN_LINE - 1}:`) || top.includes(`${FIXTURE}:${SPIN_LINE}:`), top);
    assert.ok((report.samples ?? 0) >= 1, `samples ${report.samples}`);
    assert.equal(child.exitCode, null);
  });

  test('a link planted at the temp name of the stall write is not written through', async () => {
    const victim = join(mkdtempSync('/tmp/vg-stall-victim-'), 'precious');
    writeFileSync(victim, 'precious\n', { mode: 0o600 });
    const { report, stallFile } = await stallOf({}, (file) => symlinkSync(victim, `${file}.tmp`));
    assert.equal(readFileSync(victim, 'utf8'), 'precious\n');
    assert.ok(lstatSync(stallFile).isFile());
    assert.ok(
      Math.abs(Number(process.hrtime.bigint() / 1_000_000n) - report.monoMs) < 10_000,
      'monotonic time',
    );
  });

  test("a loop blocked inside Node's own code is reported from the application's frame", async () => {
    const { report } = await stallOf({ SPIN_THROUGH_NODE: '1' });
    // util.inspect's frames (node:internal/…) are where the pause lands; the line that hung is
    // the caller's.
    assert.match(report.stack[0] ?? '', /^spinThroughNode \(/, report.stack.join('\n'));
  });

  test('under CPU contention, a stall that was slow in one place and then blocked names the block', async () => {
    // More busy processes than cores: the agent's start crawls, as on a loaded host.
    for (let i = 0; i < availableParallelism() + 1; i++) children.spawn(BUSY_CPU, {});
    const slowMs = 1500;
    const watchdog = await FakeWatchdog.start();
    watchdogs.push(watchdog);
    const reportDir = join(watchdog.dir, 'reports');
    const { child } = children.spawn(SLOW_THEN_BLOCKS, {
      VIGIL_AGENT_SOCKET: watchdog.path,
      VIGIL_REPORT_DIR: reportDir,
      VIGIL_STALL_MS: '300',
      SLOW_MS: String(slowMs),
    });
    await watchdog.waitForHellos(1, paced(10_000));
    const stallFile = join(reportDir, `stall-${child.pid}.json`);
    // Long enough to be declared hung: a second past the slow part, wherever the loop stopped.
    const report = await waitFor(
      () => {
        if (!existsSync(stallFile)) return undefined;
        const read = JSON.parse(readFileSync(stallFile, 'utf8')) as StallReport;
        return read.blockedMs >= slowMs + 1000 ? read : undefined;
      },
      paced(15_000),
      'a stall file written after the slow part',
    );
    assert.match(report.stack[0] ?? '', /^blockForever \(/, report.stack.join('\n'));
    assert.ok(report.stack[0]?.includes(`${SLOW_THEN_BLOCKS}:`), report.stack[0]);
    assert.ok((report.samples ?? 0) >= 2, `samples ${report.samples}`);
    const tops = (report.topFrames ?? []).map((t) => t.frame);
    assert.ok(
      tops.some((frame) => frame.startsWith('blockForever (')),
      tops.join('\n'),
    );
    assert.ok(tops.length <= 5);
  });

  test('a stall that ends takes its file with it: a slow moment is not left as evidence', async () => {
    const reportDir = mkdtempSync('/tmp/vg-stall-ends-');
    const stallMs = 200;
    const sentinel = startStallSentinel({ reportDir, stallMs });
    // The worker is its own thread: block this loop until it has written the file (bounded).
    const deadline = performance.now() + paced(10_000);
    while (!existsSync(sentinel.file) && performance.now() < deadline) {
      // stalled on purpose
    }
    assert.ok(existsSync(sentinel.file), 'the stall was written while it lasted');
    await waitFor(
      () => !existsSync(sentinel.file),
      paced(5000),
      'the stall file removed once the loop moved',
    );
    await sentinel.stop();
  });

  test('a free loop writes nothing, and stop() ends the worker', async () => {
    const watchdog = await FakeWatchdog.start();
    watchdogs.push(watchdog);
    const reportDir = join(watchdog.dir, 'quiet');
    // A free loop on a busy machine can still stand still for a while when it gets no CPU: the
    // window is stretched to the machine's pace, so only a real block counts.
    const stallMs = paced(400);
    const sentinel = startStallSentinel({ reportDir, stallMs });
    assert.equal(sentinel.file, join(reportDir, `stall-${process.pid}.json`));
    // Four stall windows of a free loop, proved by the loop itself having turned meanwhile.
    const until = Date.now() + 4 * stallMs;
    await waitFor(() => Date.now() >= until || undefined, 8 * stallMs, 'four stall windows');
    await sentinel.stop();
    assert.equal(existsSync(sentinel.file), false);
  });
});

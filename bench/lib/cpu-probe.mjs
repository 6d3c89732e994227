/**
 * One CPU floor (scenarios/cpu-floor.mjs): node doing nothing but what one of vigil's wakeups
 * cannot do without, at vigil's rate, started with the daemon's or the agent's flags.
 *
 *   look    a timer every 750 ms: the watchdog's looks at the default 250 / 1500 ms
 *   tick    a timer every 250 ms: the resource sampler with limits on, or the agent's beat
 *   sample  tick + one pread of a held /proc/PID/stat (its own): a resource sample
 *   beat    tick + process.memoryUsage() and a heartbeat-sized JSON line written to a Unix
 *           socket whose peer does not read (the watchdog's socket rests between looks)
 *   sentinel  beat + a Worker that looks at a shared counter every 375 ms, the counter bumped
 *           on each beat (the stall sentinel at the default stallMs of 750 ms)
 *   drain   a look as little as it can be: a timer every 800 ms (where the watchdog's looks fall
 *           at the default 250 / 1500 ms) that reads what queued on a resting Unix socket with
 *           one non-blocking read, splits the lines and parses and validates each with vigil's
 *           generated heartbeat validator. The beats come every 250 ms from a writer process
 *           of its own (not measured), as the bundled agent sends them
 *
 * Prints "ready" once its timers run; runs until killed.
 */
import { spawn } from 'node:child_process';
import { openSync, readSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

const mode = process.argv[2];
const MODES = ['look', 'tick', 'sample', 'beat', 'sentinel', 'drain'];
if (!MODES.includes(mode)) {
  process.stderr.write(`cpu-probe: mode must be one of ${MODES.join(', ')}\n`);
  process.exit(2);
}

const ready = () => process.stdout.write('ready\n');

if (mode === 'look' || mode === 'tick') {
  setInterval(() => {}, mode === 'look' ? 750 : 250);
  ready();
} else if (mode === 'sample') {
  const fd = openSync(`/proc/${process.pid}/stat`, 'r');
  const buf = Buffer.alloc(4096);
  setInterval(() => {
    const n = readSync(fd, buf, 0, buf.length, 0);
    buf.toString('latin1', 0, n).split(' ');
  }, 250);
  ready();
} else if (mode === 'drain') {
  const { heartbeat } = await import('../../packages/shared/dist/generated/agent-messages.js');
  const path = join(tmpdir(), `vigil-cpu-probe-${process.pid}.sock`);
  rmSync(path, { force: true });
  const buf = Buffer.allocUnsafe(64 * 1024);
  const server = createServer((peer) => {
    rmSync(path, { force: true });
    // Rests as the watchdog's session does between looks: nothing wakes to read the lines.
    peer.pause();
    peer._handle?.readStop?.();
    const fd = peer._handle?.fd;
    setInterval(() => {
      let n;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (error) {
        if (error.code === 'EAGAIN') return;
        throw error;
      }
      if (n === 0) process.exit(0);
      for (const line of buf.toString('utf8', 0, n).split('\n')) {
        if (line !== '' && !heartbeat(JSON.parse(line))) throw new Error('a beat did not validate');
      }
    }, 800);
    ready();
  });
  server.listen(path, () => {
    // The agent's side, a process of its own: exits when the probe (its socket) goes.
    const writer = `
      const socket = require('node:net').createConnection(${JSON.stringify(path)});
      socket.on('close', () => process.exit(0));
      socket.on('error', () => process.exit(0));
      let seq = 0;
      setInterval(() => {
        const m = process.memoryUsage();
        socket.write(JSON.stringify({ v: 1, type: 'heartbeat', seq: seq++, mono: performance.now(), lagMs: 0,
          heapUsedBytes: m.heapUsed, rssBytes: m.rss, progress: 5,
          health: { status: 'ok', summary: '3 checks ok', checks: { total: 3, ok: 3, warn: 0, critical: 0, paused: 0 }, failing: [] },
          state: 'ready' }) + '\\n');
      }, 250);`;
    spawn(process.execPath, ['-e', writer], { stdio: 'ignore' }).unref();
  });
} else {
  const path = join(tmpdir(), `vigil-cpu-probe-${process.pid}.sock`);
  rmSync(path, { force: true });
  const server = createServer((peer) => {
    // As the resting watchdog: the kernel queues the lines, nothing wakes to read them.
    peer.pause();
    peer._handle?.readStop?.();
  });
  server.listen(path, () => {
    const socket = createConnection(path, () => {
      rmSync(path, { force: true });
      const counter = new Int32Array(new SharedArrayBuffer(4));
      if (mode === 'sentinel') {
        const worker = new Worker(
          `const { workerData } = require('node:worker_threads');
           const c = new Int32Array(workerData); let last = 0;
           setInterval(() => { const v = Atomics.load(c, 0); if (v !== last) last = v; }, 375);`,
          { eval: true, workerData: counter.buffer },
        );
        worker.unref();
      }
      let seq = 0;
      setInterval(() => {
        const m = process.memoryUsage();
        Atomics.add(counter, 0, 1);
        const beat = { v: 1, type: 'heartbeat', seq: seq++, mono: performance.now(), lagMs: 0 };
        socket.write(
          `${JSON.stringify({ ...beat, heapUsedBytes: m.heapUsed, rssBytes: m.rss, health: { status: 'ok' }, state: 'ready' })}\n`,
        );
      }, 250);
      ready();
    });
  });
}

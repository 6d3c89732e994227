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
 *
 * Prints "ready" once its timers run; runs until killed.
 */
import { openSync, readSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

const mode = process.argv[2];
const MODES = ['look', 'tick', 'sample', 'beat', 'sentinel'];
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

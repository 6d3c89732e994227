// The app every supervisor in the benchmark runs. Its first act is one line,
// `started <pid> <epoch-ms>`, on stdout and appended to $BENCH_EVENTS_FILE, so the harness
// times a restart by the app's own clock rather than by when a supervisor says it started it.
//
// Environment (all optional but BENCH_EVENTS_FILE):
//   BENCH_MODE         run (default) | crash (exit 1 at once: a crash loop) | once (exit 0: the floor)
//   BENCH_CONTROL_DIR  the harness writes a file named after this pid, holding `hang` or `leak`
//   BENCH_LEAK_MIB_S   leak rate, MiB per second (default 20)
//   BENCH_HB_FILE      touched every BENCH_HB_MS (default 250): monit's hand-written heartbeat
//   BENCH_VIGIL        1: heartbeat to the vigil watchdog with the SDK (createAgent)
import { appendFileSync, closeSync, openSync, readFileSync, utimesSync, watch, writeSync } from 'node:fs';

const env = process.env;
const line = (event) => {
  const text = `${event} ${process.pid} ${Date.now()}\n`;
  writeSync(1, text);
  if (env.BENCH_EVENTS_FILE) appendFileSync(env.BENCH_EVENTS_FILE, text);
};

line('started');
const mode = env.BENCH_MODE ?? 'run';
if (mode === 'crash') process.exit(1);
if (mode === 'once') process.exit(0);

const MiB = 1024 * 1024;

function hang() {
  line('hang');
  for (;;) {
    // A blocked event loop: the process lives, nothing else runs.
  }
}

function leak(mibPerSecond) {
  line('leak');
  const held = [];
  const since = performance.now();
  // Paced by elapsed time, not by ticks, so a late timer does not slow the leak down.
  setInterval(() => {
    const due = Math.floor((mibPerSecond * (performance.now() - since)) / 1000);
    while (held.length < due) held.push(Buffer.allocUnsafeSlow(MiB).fill((held.length % 255) + 1));
  }, 20);
}

if (env.BENCH_CONTROL_DIR) {
  const name = String(process.pid);
  let acted = false;
  // One write from the harness can raise several inotify events: act on the first only.
  watch(env.BENCH_CONTROL_DIR, (_event, file) => {
    if (file !== name || acted) return;
    let command = '';
    try {
      command = readFileSync(`${env.BENCH_CONTROL_DIR}/${name}`, 'utf8').trim();
    } catch {
      return;
    }
    acted = command === 'hang' || command === 'leak';
    if (command === 'hang') hang();
    if (command === 'leak') leak(Number(env.BENCH_LEAK_MIB_S) || 20);
  });
}

if (env.BENCH_HB_FILE) {
  const file = env.BENCH_HB_FILE;
  const touch = () => {
    try {
      const now = new Date();
      utimesSync(file, now, now);
    } catch {
      closeSync(openSync(file, 'a'));
    }
  };
  touch();
  setInterval(touch, Number(env.BENCH_HB_MS) || 250);
}

if (env.BENCH_VIGIL === '1') {
  const { createAgent } = await import('@vigil/agent-sdk');
  const agent = createAgent({ name: 'bench-app' });
  agent.start();
  agent.setState('ready');
}

// Something must keep the loop alive when neither a watcher nor a heartbeat does.
setInterval(() => {}, 1 << 30);

import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, test } from 'node:test';
import type { Logger } from '@vigil/shared';
import { readCmdline, readProcStat } from '../../src/process/proc-stat.ts';
import { createNotifier, startWatchdogPings } from '../../src/systemd/sd-notify.ts';

/** Binds an AF_UNIX datagram socket (`@name`: abstract) and prints each datagram as one line, \n escaped. */
const LISTENER = `
import socket, sys
path = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind('\\0' + path[1:] if path.startswith('@') else path)
print('listening', flush=True)
while True:
    data = s.recv(65536)
    print(data.decode('utf-8', 'replace').replace('\\n', '\\\\n'), flush=True)
`;

interface Listener {
  lines: string[];
  /** Resolves once `predicate` holds for the lines received so far; rejects after `ms`. */
  until(predicate: (lines: string[]) => boolean, ms?: number): Promise<string[]>;
  child: ChildProcess;
}

const children: ChildProcess[] = [];
const dirs: string[] = [];
after(() => {
  for (const child of children) child.kill();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function listen(address: string): Promise<Listener> {
  const child = spawn('python3', ['-c', LISTENER, address], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  const rl = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  let listening!: () => void;
  const ready = new Promise<void>((resolve) => {
    listening = resolve;
  });
  rl.on('line', (line) => {
    if (line === 'listening') return listening();
    // systemd-notify (fallback) follows each message with a BARRIER=1 round trip.
    if (line !== 'BARRIER=1') lines.push(line);
    for (const wake of waiters) wake();
  });
  await ready;
  return {
    lines,
    child,
    until(predicate, ms = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!predicate(lines)) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(lines);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out; received ${JSON.stringify(lines)}`));
        }, ms);
        waiters.add(check);
        check();
      });
    },
  };
}

function recordingLogger(): { logger: Logger; warnings: unknown[][] } {
  const warnings: unknown[][] = [];
  const noop = () => {};
  const logger = { warn: (...args: unknown[]) => warnings.push(args), info: noop, error: noop, debug: noop };
  return { logger: logger as unknown as Logger, warnings };
}

function socketPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-notify-'));
  dirs.push(dir);
  return join(dir, 'notify.sock');
}

const count = (lines: string[], value: string) => lines.filter((l) => l === value).length;

/** This process's perl children (the notifier's helper). */
function perlChildren(): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => readProcStat(pid)?.ppid === process.pid && readCmdline(pid)?.[0]?.endsWith('perl'));
}

function hasCommand(name: string): Promise<boolean> {
  const which = spawn('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
  return new Promise((resolve) => which.on('exit', (code) => resolve(code === 0)));
}

describe('sd_notify', () => {
  test('without NOTIFY_SOCKET the notifier does nothing and no pings start', async () => {
    const { logger } = recordingLogger();
    const notifier = createNotifier({ logger, env: {} });
    assert.equal(notifier.enabled, false);
    notifier.ready('x');
    assert.equal(startWatchdogPings(notifier, { WATCHDOG_USEC: '200000' }), null);
    await notifier.close();
  });

  test('READY=1 with STATUS, STATUS, periodic WATCHDOG=1 and STOPPING=1 arrive as datagrams', async () => {
    const path = socketPath();
    const listener = await listen(path);
    const { logger, warnings } = recordingLogger();
    const notifier = createNotifier({ logger, env: { NOTIFY_SOCKET: path } });
    notifier.ready('watching the agent\nsecond line');
    notifier.status('agent healthy');
    const env = { WATCHDOG_USEC: '200000', WATCHDOG_PID: String(process.pid) };
    const pings = startWatchdogPings(notifier, env);
    assert.ok(pings);
    assert.equal(pings.intervalMs, 100);
    const started = Date.now();
    // One at once, then every ~100 ms: 5 within 2 s even on a loaded machine.
    await listener.until((lines) => count(lines, 'WATCHDOG=1') >= 5, 3000);
    assert.ok(Date.now() - started >= 350, 'pings are paced by WATCHDOG_USEC / 2, not sent in a burst');
    pings.stop();
    notifier.stopping();
    await listener.until((lines) => lines.includes('STOPPING=1'));
    await notifier.close();
    assert.equal(listener.lines[0], 'READY=1\\nSTATUS=watching the agent second line');
    assert.equal(listener.lines[1], 'STATUS=agent healthy');
    assert.deepEqual(warnings, []);
  });

  test('an abstract address (@name) is reached', async () => {
    const address = `@vigil-test-${process.pid}-${Date.now()}`;
    const listener = await listen(address);
    const { logger } = recordingLogger();
    const notifier = createNotifier({ logger, env: { NOTIFY_SOCKET: address } });
    notifier.ready();
    notifier.watchdog();
    await listener.until((lines) => lines.includes('READY=1') && lines.includes('WATCHDOG=1'));
    await notifier.close();
  });

  test('WATCHDOG_PID naming another process, or no WATCHDOG_USEC, means no pings', async () => {
    const { logger } = recordingLogger();
    const notifier = createNotifier({ logger, env: { NOTIFY_SOCKET: socketPath() } });
    assert.equal(startWatchdogPings(notifier, { WATCHDOG_USEC: '200000', WATCHDOG_PID: '1' }), null);
    assert.equal(startWatchdogPings(notifier, {}), null);
    assert.equal(startWatchdogPings(notifier, { WATCHDOG_USEC: 'soon' }), null);
    await notifier.close();
  });

  test('without perl, messages go through systemd-notify and the fallback is logged once', async (t) => {
    if (!(await hasCommand('systemd-notify'))) return t.skip('systemd-notify is not installed');
    const path = socketPath();
    const listener = await listen(path);
    const { logger, warnings } = recordingLogger();
    const notifier = createNotifier({ logger, env: { NOTIFY_SOCKET: path }, perl: '/nonexistent/perl' });
    notifier.ready('up');
    notifier.watchdog();
    notifier.watchdog();
    await listener.until((lines) => count(lines, 'WATCHDOG=1') >= 2);
    await notifier.close();
    assert.equal(listener.lines[0], 'READY=1\\nSTATUS=up');
    const fallbackWarnings = warnings.filter((w) => String(w.at(-1)).includes('systemd-notify per message'));
    assert.equal(fallbackWarnings.length, 1);
  });

  test('when the helper dies, the next messages still arrive (through systemd-notify)', async (t) => {
    if (!(await hasCommand('systemd-notify'))) return t.skip('systemd-notify is not installed');
    const path = socketPath();
    const listener = await listen(path);
    const { logger, warnings } = recordingLogger();
    const notifier = createNotifier({ logger, env: { NOTIFY_SOCKET: path } });
    notifier.ready();
    await listener.until((lines) => lines.includes('READY=1'));
    const [helper] = perlChildren();
    assert.ok(helper, 'the helper runs as a child process');
    process.kill(helper, 'SIGKILL');
    const deadline = Date.now() + 5000;
    // Gone for good once reaped (a zombie has no cmdline but still a stat); its exit event comes with the reaping.
    while (readProcStat(helper) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await new Promise((resolve) => setImmediate(resolve));
    notifier.status('after the helper died');
    notifier.watchdog();
    await listener.until(
      (lines) => lines.includes('STATUS=after the helper died') && lines.includes('WATCHDOG=1'),
    );
    await notifier.close();
    assert.ok(warnings.some((w) => String(w.at(-1)).includes('systemd-notify per message')));
  });

  test('closing at once, before the helper has started, leaves no helper behind', async () => {
    const path = socketPath();
    const listener = await listen(path);
    const before = new Set(perlChildren());
    const early = createNotifier({ logger: recordingLogger().logger, env: { NOTIFY_SOCKET: path } });
    await early.close();
    // A second notifier's message arriving is the yardstick: by then a leaked helper would have started.
    const later = createNotifier({ logger: recordingLogger().logger, env: { NOTIFY_SOCKET: path } });
    later.ready();
    await listener.until((lines) => lines.includes('READY=1'));
    await later.close();
    const deadline = Date.now() + 5000;
    const left = () => perlChildren().filter((pid) => !before.has(pid));
    while (left().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(left(), []);
  });
});

import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { acquireLock, moveAsideIfSame } from '../../src/process/lock-file.ts';

const ROOT = fileURLToPath(new URL('../../../..', import.meta.url));
const RACER = fileURLToPath(new URL('./fixtures/races-for-lock.ts', import.meta.url));
const dir = mkdtempSync('/tmp/vg-lock-');
after(() => rmSync(dir, { recursive: true, force: true }));

/** A child process that takes and releases the lock on command. */
class Racer {
  readonly child: ChildProcess;
  readonly #lines: string[] = [];
  #waiters: (() => void)[] = [];

  constructor(path: string) {
    this.child = spawn(process.execPath, ['--import', 'tsx', RACER, path], {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    createInterface({ input: this.child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      this.#lines.push(line);
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  send(command: string): void {
    this.child.stdin?.write(`${command}\n`);
  }

  /** The next line it prints, within `timeoutMs`. */
  async next(timeoutMs = 20_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (this.#lines.length === 0) {
      if (Date.now() > deadline)
        throw new Error(`racer pid ${this.child.pid} said nothing in ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.#lines.shift() as string;
  }

  stop(): void {
    this.child.stdin?.end();
    // One stuck in a blocking open must not outlive the test.
    setTimeout(() => this.child.kill('SIGKILL'), 2000).unref();
  }
}

function leftovers(path: string): string[] {
  return readdirSync(join(path, '..')).filter((name) => name.startsWith('.watchdog.lock'));
}

describe('watchdog lock', () => {
  test('racers on one lock, many rounds (free, stale, empty, garbage): exactly one wins each round', async () => {
    const home = join(dir, 'race');
    mkdirSync(home);
    const path = join(home, 'watchdog.lock');
    const racers = Array.from({ length: 4 }, () => new Racer(path));
    try {
      for (const racer of racers) assert.equal(await racer.next(), 'ready');
      const before = ['', JSON.stringify({ pid: 999_999_999, startTicks: 1 }), null, 'garbage'];
      for (let round = 0; round < 24; round++) {
        const planted = before[round % before.length];
        if (planted !== null && planted !== undefined) writeFileSync(path, planted);
        for (const racer of racers) racer.send('go');
        const answers = await Promise.all(racers.map((r) => r.next()));
        const winners = racers.filter((_, i) => answers[i] === 'won');
        assert.equal(winners.length, 1, `round ${round} (${planted ?? 'free'}): ${answers.join(', ')}`);
        for (const answer of answers.filter((a) => a !== 'won'))
          assert.equal(answer, 'lost VIGIL_WATCHDOG_RUNNING');
        const owner = JSON.parse(readFileSync(path, 'utf8')) as { pid: number };
        assert.equal(owner.pid, winners[0]?.child.pid, `round ${round}: the lock names the winner`);
        assert.equal(statSync(path).nlink, 1);
        winners[0]?.send('release');
        assert.equal(await winners[0]?.next(), 'released');
        assert.ok(!existsSync(path), `round ${round}: released`);
        assert.deepEqual(leftovers(path), [], `round ${round}: nothing left beside the lock`);
      }
    } finally {
      for (const racer of racers) racer.stop();
    }
  });

  test('a FIFO planted at the lock name does not block the next watchdog: it is moved aside', async () => {
    const home = join(dir, 'fifo');
    mkdirSync(home);
    const path = join(home, 'watchdog.lock');
    execFileSync('mkfifo', [path]);
    const racer = new Racer(path);
    try {
      assert.equal(await racer.next(), 'ready');
      racer.send('go');
      assert.equal(await racer.next(5000), 'won');
      assert.ok(lstatSync(path).isFile());
    } finally {
      racer.stop();
    }
  });

  test('a symlink planted at the lock name is replaced; the file it points at is untouched', () => {
    const home = join(dir, 'link');
    mkdirSync(home);
    const victim = join(dir, 'link-victim');
    writeFileSync(victim, 'root only\n', { mode: 0o600 });
    const path = join(home, 'watchdog.lock');
    symlinkSync(victim, path);
    const lock = acquireLock(path);
    assert.ok(lstatSync(path).isFile());
    assert.equal(JSON.parse(readFileSync(path, 'utf8')).pid, process.pid);
    assert.equal(readFileSync(victim, 'utf8'), 'root only\n');
    lock.release();
    assert.equal(readFileSync(victim, 'utf8'), 'root only\n');
  });

  test('a folder at the lock name is a clear VIGIL_PATH_UNSAFE refusal, and stays', () => {
    const path = join(dir, 'folder.lock');
    mkdirSync(path);
    assert.throws(() => acquireLock(path), {
      code: 'VIGIL_PATH_UNSAFE',
      message: new RegExp(`${path} is a folder`),
    });
    assert.ok(statSync(path).isDirectory());
  });

  test('a lock that replaced the one judged stale is put back, not removed', () => {
    const home = join(dir, 'verify');
    mkdirSync(home);
    const path = join(home, 'watchdog.lock');
    writeFileSync(path, JSON.stringify({ pid: 999_999_999, startTicks: 1 }));
    const judged = lstatSync(path);
    // Meanwhile another watchdog took the stale lock over and holds a fresh one.
    unlinkSync(path);
    const live = JSON.stringify({ pid: process.ppid, startTicks: 7 });
    writeFileSync(path, live);
    const liveIno = lstatSync(path).ino;
    assert.equal(moveAsideIfSame(path, { dev: judged.dev, ino: judged.ino, owner: null }), false);
    assert.equal(lstatSync(path).ino, liveIno);
    assert.equal(readFileSync(path, 'utf8'), live);
    assert.deepEqual(leftovers(path), []);
  });

  test('release removes only its own lock, never one taken over after it', () => {
    const path = join(dir, 'own.lock');
    const lock = acquireLock(path);
    unlinkSync(path);
    writeFileSync(path, JSON.stringify({ pid: process.ppid, startTicks: 7 }));
    lock.release();
    assert.ok(existsSync(path), 'the other lock stands');
  });

  test('a second acquire in the same process is refused while the first holds it', () => {
    const path = join(dir, 'twice.lock');
    const lock = acquireLock(path);
    assert.throws(() => acquireLock(path), { code: 'VIGIL_WATCHDOG_RUNNING' });
    lock.release();
    acquireLock(path).release();
  });
});

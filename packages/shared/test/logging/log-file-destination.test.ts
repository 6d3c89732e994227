import assert from 'node:assert/strict';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { LogFileDestination, type WriteFn } from '@vigil/shared';

const root = mkdtempSync('/tmp/vg-logdest-');
after(() => rmSync(root, { recursive: true, force: true }));
let seq = 0;
const fresh = () => {
  const dir = join(root, `d${seq++}`);
  mkdirSync(dir, { mode: 0o700 });
  return dir;
};

const line = (msg: string, extra: Record<string, unknown> = {}) =>
  `${JSON.stringify({ level: 30, levelName: 'info', time: Date.now(), msg, ...extra })}\n`;

/** Every line of the file parsed as JSON: a torn or glued line fails the parse. */
function records(path: string): Record<string, unknown>[] {
  const text = readFileSync(path, 'utf8');
  assert.ok(
    text === '' || text.endsWith('\n'),
    `the file ends inside a line: ${JSON.stringify(text.slice(-80))}`,
  );
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        return assert.fail(`not a whole JSON line: ${JSON.stringify(l)}`);
      }
    });
}

/** A write(2) that can be switched to /dev/full, whose writes fail with a real ENOSPC. */
function switchableWrite() {
  const full = openSync('/dev/full', 'w');
  after(() => closeSync(full));
  const control = { full: false, calls: 0 };
  const write: WriteFn = (fd, buffer, offset, length) => {
    control.calls++;
    return writeSync(control.full ? full : fd, buffer, offset, length);
  };
  return { control, write };
}

describe('LogFileDestination on a failing disk', () => {
  test('a failing write is dropped and counted, never thrown; the first good write says how many were lost', () => {
    const path = join(fresh(), 'watchdog.log');
    const { control, write } = switchableWrite();
    const dest = new LogFileDestination({
      path,
      write,
      base: { component: 'watchdog' },
      onTrouble: () => {},
    });
    dest.write(line('before'));
    control.full = true;
    for (let i = 0; i < 7; i++) assert.doesNotThrow(() => dest.write(line(`during ${i}`)));
    assert.equal(dest.lostLines, 7);
    control.full = false;
    dest.write(line('after'));
    assert.equal(dest.lostLines, 0);
    const got = records(path);
    assert.equal(got.length, 3);
    assert.equal(got[0]?.msg, 'before');
    assert.equal(got[2]?.msg, 'after');
    assert.equal(got[1]?.lostLines, 7);
    assert.equal(got[1]?.reason, 'ENOSPC');
    assert.equal(got[1]?.component, 'watchdog');
    assert.equal(got[1]?.levelName, 'warn');
    assert.match(String(got[1]?.msg), /^lost 7 log lines since \d{4}-\d\d-\d\dT/);
    assert.equal(typeof got[1]?.lostSince, 'number');
    dest.close();
  });

  test('a short write is cut back, so no torn line stays in the file', () => {
    const path = join(fresh(), 'watchdog.log');
    const { control, write } = switchableWrite();
    let shortNext = false;
    // The first call writes 10 bytes, the next one hits the full disk: a torn line on disk.
    const shortWrite: WriteFn = (fd, buffer, offset, length) => {
      if (!shortNext) return write(fd, buffer, offset, length);
      shortNext = false;
      control.full = true;
      return writeSync(fd, buffer, offset, Math.min(10, length));
    };
    const dest = new LogFileDestination({ path, write: shortWrite, onTrouble: () => {} });
    dest.write(line('first'));
    const sizeBefore = statSync(path).size;
    shortNext = true;
    dest.write(line('torn', { pad: 'x'.repeat(100) }));
    assert.equal(statSync(path).size, sizeBefore, 'the ten bytes that got out are cut back');
    assert.equal(dest.lostLines, 1);
    control.full = false;
    dest.write(line('next'));
    assert.deepEqual(
      records(path).map((r) => r.lostLines ?? r.msg),
      ['first', 1, 'next'],
    );
  });

  test('a write that returns 0 bytes counts as failed and leaves nothing behind', () => {
    const path = join(fresh(), 'watchdog.log');
    let zero = true;
    const write: WriteFn = (fd, buffer, offset, length) => (zero ? 0 : writeSync(fd, buffer, offset, length));
    const dest = new LogFileDestination({ path, write, onTrouble: () => {} });
    dest.write(line('lost'));
    assert.equal(dest.lostLines, 1);
    zero = false;
    dest.write(line('kept'));
    assert.deepEqual(
      records(path).map((r) => r.lostLines ?? r.msg),
      [1, 'kept'],
    );
  });

  test('a file left ending inside a line (a crash mid-write) gets its newline before the first record', () => {
    const path = join(fresh(), 'watchdog.log');
    writeFileSync(path, `${line('whole')}{"level":30,"msg":"torn by a cr`);
    const dest = new LogFileDestination({ path });
    dest.write(line('new'));
    const lines = readFileSync(path, 'utf8').split('\n');
    assert.equal(lines[1], '{"level":30,"msg":"torn by a cr');
    assert.equal(JSON.parse(lines[2] as string).msg, 'new');
  });

  test('it tells once on stderr (or onTrouble) when lines start being dropped, not per line', () => {
    const path = join(fresh(), 'watchdog.log');
    const { control, write } = switchableWrite();
    const told: string[] = [];
    const dest = new LogFileDestination({ path, write, onTrouble: (m) => told.push(m) });
    control.full = true;
    for (let i = 0; i < 5; i++) dest.write(line('x'));
    control.full = false;
    dest.write(line('ok'));
    control.full = true;
    dest.write(line('y'));
    assert.equal(told.length, 2, told.join(''));
    assert.match(told[0] as string, /cannot write .*watchdog\.log \(ENOSPC\)/);
  });
});

describe('LogFileDestination opening', () => {
  test('a folder that cannot be created is not an error: lines are counted until it can, then written', () => {
    const dir = fresh();
    writeFileSync(join(dir, 'log'), 'a file where the log folder should be');
    const path = join(dir, 'log', 'watchdog.log');
    let now = 0;
    const dest = new LogFileDestination({ path, now: () => now, onTrouble: () => {} });
    dest.write(line('one'));
    dest.write(line('two'));
    assert.equal(dest.lostLines, 2);
    rmSync(join(dir, 'log'));
    dest.write(line('three'));
    assert.equal(dest.lostLines, 3, 'the open is retried at most once a second');
    now += 1001;
    dest.write(line('four'));
    const got = records(path);
    assert.equal(got[0]?.lostLines, 3);
    assert.match(String(got[0]?.reason), /ENOTDIR/);
    assert.equal(got[1]?.msg, 'four');
    assert.equal(statSync(join(dir, 'log')).mode & 0o777, 0o750);
  });

  test('a symlink planted at the log path is moved aside, never written through', () => {
    const dir = fresh();
    const target = join(dir, 'precious');
    writeFileSync(target, 'do not touch\n');
    const path = join(dir, 'watchdog.log');
    symlinkSync(target, path);
    const dest = new LogFileDestination({ path });
    dest.write(line('real'));
    assert.equal(readFileSync(target, 'utf8'), 'do not touch\n');
    const got = records(path);
    assert.equal(got[0]?.msg, 'moved a planted file aside instead of writing through it');
    assert.equal(got[1]?.msg, 'real');
    assert.ok(readdirSync(dir).some((n) => n.startsWith('watchdog.log.planted-')));
  });

  test('a log folder that is a symlink is not followed', () => {
    const dir = fresh();
    const elsewhere = fresh();
    symlinkSync(elsewhere, join(dir, 'log'));
    const dest = new LogFileDestination({ path: join(dir, 'log', 'watchdog.log'), onTrouble: () => {} });
    dest.write(line('nowhere'));
    assert.equal(dest.lostLines, 1);
    assert.deepEqual(readdirSync(elsewhere), []);
  });

  test('a file renamed away (by an operator or logrotate) is reopened by name within a second', () => {
    const path = join(fresh(), 'watchdog.log');
    let now = 0;
    const dest = new LogFileDestination({ path, now: () => now });
    dest.write(line('one'));
    renameSync(path, `${path}.old`);
    dest.write(line('two'));
    now += 1001;
    dest.write(line('three'));
    assert.deepEqual(
      records(`${path}.old`).map((r) => r.msg),
      ['one', 'two'],
    );
    assert.deepEqual(
      records(path).map((r) => r.msg),
      ['three'],
    );
  });
});

describe('LogFileDestination rotation', () => {
  test('past maxBytes the file is renamed to .1, the older ones shifted, keep of them kept', () => {
    const dir = fresh();
    const path = join(dir, 'watchdog.log');
    const dest = new LogFileDestination({ path, rotate: { maxBytes: 4096, keep: 2 } });
    const written: string[] = [];
    for (let i = 0; i < 200; i++) {
      const l = line(`line ${i}`, { pad: 'p'.repeat(60) });
      written.push(l);
      dest.write(l);
    }
    dest.close();
    assert.deepEqual(readdirSync(dir).sort(), ['watchdog.log', 'watchdog.log.1', 'watchdog.log.2']);
    for (const name of readdirSync(dir)) assert.ok(statSync(join(dir, name)).size <= 4096, name);
    // What is kept is the newest lines, in order, none missing between the files.
    const kept = [...records(`${path}.2`), ...records(`${path}.1`), ...records(path)].map((r) => r.msg);
    const last = written.slice(-kept.length).map((l) => JSON.parse(l).msg);
    assert.deepEqual(kept, last);
    assert.equal(kept.at(-1), 'line 199');
  });

  test('a rotation that cannot rename keeps writing to the current file and says why', () => {
    const dir = fresh();
    const path = join(dir, 'watchdog.log');
    mkdirSync(`${path}.1`);
    writeFileSync(join(`${path}.1`, 'in the way'), 'x');
    const dest = new LogFileDestination({ path, rotate: { maxBytes: 4096, keep: 1 }, now: () => 0 });
    for (let i = 0; i < 60; i++) dest.write(line(`line ${i}`, { pad: 'p'.repeat(60) }));
    const got = records(path);
    assert.equal(got.filter((r) => r.msg === 'cannot rotate the log file').length, 1, 'once, not per line');
    assert.equal(got.filter((r) => String(r.msg).startsWith('line ')).length, 60);
    assert.ok(existsSync(join(`${path}.1`, 'in the way')));
  });
});

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  chownSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  appendFileSafe,
  ensureDir,
  isVigilError,
  openAppend,
  readRegularFileInside,
  writeFileAtomic,
} from '@vigil/shared';

const root = mkdtempSync('/tmp/vg-safe-');
after(() => rmSync(root, { recursive: true, force: true }));
const isRoot = process.getuid?.() === 0;

function fresh(name: string): string {
  const dir = join(root, name);
  mkdirSync(dir, { mode: 0o700 });
  return dir;
}

function recorder() {
  const lines: { fields: Record<string, unknown>; message: string }[] = [];
  return {
    lines,
    warn: (fields: Record<string, unknown>, message: string) => lines.push({ fields, message }),
  };
}

describe('openAppend and appendFileSafe', () => {
  test('a symlink planted at the name is moved aside and its target is never written', () => {
    const dir = fresh('append-link');
    const victim = join(root, 'append-link-victim');
    writeFileSync(victim, 'precious\n', { mode: 0o600 });
    symlinkSync(victim, join(dir, 'history.jsonl'));
    const report = recorder();
    appendFileSafe(join(dir, 'history.jsonl'), 'line\n', { report });
    assert.equal(readFileSync(victim, 'utf8'), 'precious\n');
    assert.equal(readFileSync(join(dir, 'history.jsonl'), 'utf8'), 'line\n');
    assert.ok(!lstatSync(join(dir, 'history.jsonl')).isSymbolicLink());
    assert.equal(report.lines.length, 1);
    assert.match(String(report.lines[0]?.fields.why), /symbolic link/);
    assert.ok(readdirSync(dir).some((n) => n.startsWith('history.jsonl.planted-')));
  });

  test('a hard link to another file is moved aside, not appended to', () => {
    const dir = fresh('append-hardlink');
    const victim = join(dir, 'other');
    writeFileSync(victim, 'keep\n', { mode: 0o600 });
    linkSync(victim, join(dir, 'watchdog.log'));
    appendFileSafe(join(dir, 'watchdog.log'), 'new\n', { report: recorder() });
    assert.equal(readFileSync(victim, 'utf8'), 'keep\n');
    assert.equal(readFileSync(join(dir, 'watchdog.log'), 'utf8'), 'new\n');
  });

  test('a FIFO at the name neither blocks nor receives the write', () => {
    const dir = fresh('append-fifo');
    execFileSync('mkfifo', [join(dir, 'agent.log')]);
    const fd = openAppend(join(dir, 'agent.log'), { report: recorder() });
    assert.ok(fd > 2);
    assert.ok(statSync(join(dir, 'agent.log')).isFile());
  });

  test('a file of another owner is moved aside', {
    skip: !isRoot && 'making a file of another owner needs root',
  }, () => {
    const dir = fresh('append-owner');
    const path = join(dir, 'config-audit.jsonl');
    writeFileSync(path, 'theirs\n');
    chownSync(path, 65534, 65534);
    appendFileSafe(path, 'ours\n', { report: recorder() });
    assert.equal(readFileSync(path, 'utf8'), 'ours\n');
    assert.equal(statSync(path).uid, 0);
  });

  test('appending to a regular file of ours keeps what it had', () => {
    const dir = fresh('append-plain');
    const path = join(dir, 'a.log');
    appendFileSafe(path, 'one\n');
    appendFileSafe(path, 'two\n', { fsync: true });
    assert.equal(readFileSync(path, 'utf8'), 'one\ntwo\n');
  });
});

describe('writeFileAtomic', () => {
  test('replaces a symlink at the name instead of writing through it', () => {
    const dir = fresh('atomic-link');
    const victim = join(root, 'atomic-victim');
    writeFileSync(victim, 'root only\n', { mode: 0o600 });
    symlinkSync(victim, join(dir, 'status.json'));
    writeFileAtomic(join(dir, 'status.json'), '{"v":1}\n', { mode: 0o640 });
    assert.equal(readFileSync(victim, 'utf8'), 'root only\n');
    assert.ok(lstatSync(join(dir, 'status.json')).isFile());
    assert.equal(statSync(join(dir, 'status.json')).mode & 0o777, 0o640);
  });

  test('never writes through a symlink planted at a predictable temp name', () => {
    const dir = fresh('atomic-tmp');
    const victim = join(root, 'atomic-tmp-victim');
    writeFileSync(victim, 'x\n');
    // The old scheme's names: path.PID.tmp and .path.PID.tmp.
    symlinkSync(victim, join(dir, `agent.pid.${process.pid}.tmp`));
    symlinkSync(victim, join(dir, `.agent.pid.${process.pid}.tmp`));
    writeFileAtomic(join(dir, 'agent.pid'), '42\n');
    assert.equal(readFileSync(victim, 'utf8'), 'x\n');
    assert.equal(readFileSync(join(dir, 'agent.pid'), 'utf8'), '42\n');
    assert.deepEqual(
      readdirSync(dir).filter((n) => n.endsWith('.tmp') && !n.includes(String(process.pid))),
      [],
    );
  });

  test('mode and owner are set exactly, on the new file itself (umask or not)', {
    skip: process.getuid?.() !== 0 ? 'needs root to give a file away' : false,
  }, () => {
    const dir = fresh('atomic-owner');
    const old = process.umask(0o077);
    try {
      writeFileAtomic(join(dir, 'vigil.yaml'), 'a: 1\n', { mode: 0o640, owner: { uid: 0, gid: 65534 } });
    } finally {
      process.umask(old);
    }
    const stat = statSync(join(dir, 'vigil.yaml'));
    assert.equal(stat.mode & 0o777, 0o640);
    assert.equal(stat.uid, 0);
    assert.equal(stat.gid, 65534);
  });

  test('leaves no temp file behind when the rename fails', () => {
    const dir = fresh('atomic-fail');
    mkdirSync(join(dir, 'target'));
    writeFileSync(join(dir, 'target', 'f'), '');
    assert.throws(() => writeFileAtomic(join(dir, 'target'), 'x'));
    assert.deepEqual(readdirSync(dir), ['target']);
  });
});

describe('ensureDir', () => {
  test('creates missing folders with the mode, parents included', () => {
    const dir = fresh('ensure-create');
    ensureDir(join(dir, 'a', 'b'), { mode: 0o700 });
    assert.equal(statSync(join(dir, 'a', 'b')).mode & 0o777, 0o700);
    assert.equal(statSync(join(dir, 'a')).mode & 0o777, 0o700);
  });

  test('refuses a symlink where a folder must be', () => {
    const dir = fresh('ensure-link');
    const elsewhere = fresh('ensure-link-elsewhere');
    symlinkSync(elsewhere, join(dir, 'run'));
    assert.throws(
      () => ensureDir(join(dir, 'run'), { mode: 0o700 }),
      (error: unknown) => isVigilError(error, 'VIGIL_PATH_UNSAFE') && /symbolic link/.test(error.message),
    );
  });

  test('refuses a file where a folder must be', () => {
    const dir = fresh('ensure-file');
    writeFileSync(join(dir, 'state'), '');
    assert.throws(() => ensureDir(join(dir, 'state'), { mode: 0o700 }), /not a folder/);
  });

  test('narrows a folder of ours that is wider than asked', () => {
    const dir = fresh('ensure-narrow');
    mkdirSync(join(dir, 'log'), { mode: 0o777 });
    const report = recorder();
    ensureDir(join(dir, 'log'), { mode: 0o750, report });
    assert.equal(statSync(join(dir, 'log')).mode & 0o777, 0o750);
    assert.equal(report.lines.length, 1);
  });

  test('refuses a folder of another owner', {
    skip: !isRoot && 'making a folder of another owner needs root',
  }, () => {
    const dir = fresh('ensure-owner');
    mkdirSync(join(dir, 'run'));
    chownSync(join(dir, 'run'), 65534, 65534);
    assert.throws(() => ensureDir(join(dir, 'run'), { mode: 0o700 }), /owned by uid 65534/);
  });
});

describe('readRegularFileInside', () => {
  const within = fresh('inside');
  mkdirSync(join(within, 'reports'));

  test('reads a regular file inside the folder', () => {
    writeFileSync(join(within, 'reports', 'stall-1.json'), '{"ok":true}');
    assert.equal(
      readRegularFileInside(join(within, 'reports', 'stall-1.json'), { within, maxBytes: 1000 }),
      '{"ok":true}',
    );
  });

  test('refuses paths outside, symlinks, FIFOs, folders and oversize files without blocking', () => {
    const outside = join(root, 'outside.json');
    writeFileSync(outside, '{}');
    symlinkSync(outside, join(within, 'reports', 'link.json'));
    execFileSync('mkfifo', [join(within, 'reports', 'fifo.json')]);
    writeFileSync(join(within, 'reports', 'big.json'), 'x'.repeat(2000));
    const opts = { within, maxBytes: 1000 };
    assert.equal(readRegularFileInside(outside, opts), null);
    assert.equal(readRegularFileInside(join(within, '..', 'outside.json'), opts), null);
    assert.equal(readRegularFileInside('reports/stall-1.json', opts), null);
    assert.equal(readRegularFileInside(join(within, 'reports', 'link.json'), opts), null);
    assert.equal(readRegularFileInside(join(within, 'reports', 'fifo.json'), opts), null);
    assert.equal(readRegularFileInside(join(within, 'reports'), opts), null);
    assert.equal(readRegularFileInside(join(within, 'reports', 'big.json'), opts), null);
  });

  test('refuses a file reached through a linked folder', () => {
    const real = fresh('inside-real');
    writeFileSync(join(real, 'stall.json'), '{}');
    symlinkSync(real, join(within, 'linked'));
    assert.equal(
      readRegularFileInside(join(within, 'linked', 'stall.json'), { within, maxBytes: 100 }),
      null,
    );
  });
});

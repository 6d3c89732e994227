// agent.pid is written through a fresh temp file and read only as a regular file: nothing
// planted in the run folder is written through, and a FIFO there does not block a start.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { type AgentPidRecord, readPidFile, writePidFile } from '../../src/process/pid-file.ts';

const dir = mkdtempSync('/tmp/vg-pidfile-');
after(() => rmSync(dir, { recursive: true, force: true }));

const record: AgentPidRecord = {
  pid: 4242,
  startTicks: 99,
  startedAt: 1,
  cmdline: ['node', 'agent.js'],
  instance: '0b6e5c6e-8a53-4d2c-9a4e-3f1c2b7d9e10',
  watchdogPid: 4241,
};

describe('pid file', () => {
  test('links at the name and at the old temp name are never written through', () => {
    const run = join(dir, 'links', 'run');
    mkdirSync(run, { recursive: true, mode: 0o700 });
    const path = join(run, 'agent.pid');
    const atName = join(dir, 'name-victim');
    const atTemp = join(dir, 'temp-victim');
    for (const victim of [atName, atTemp]) writeFileSync(victim, 'root only\n', { mode: 0o600 });
    symlinkSync(atName, path);
    assert.equal(readPidFile(path), null, 'a link is not read');
    symlinkSync(atTemp, `${path}.${process.pid}.tmp`);
    writePidFile(path, record);
    assert.equal(readFileSync(atName, 'utf8'), 'root only\n');
    assert.equal(readFileSync(atTemp, 'utf8'), 'root only\n');
    assert.ok(lstatSync(path).isFile());
    assert.deepEqual(readPidFile(path), record);
  });

  test('a FIFO at the name reads as absent, at once', () => {
    const run = join(dir, 'fifo', 'run');
    mkdirSync(run, { recursive: true, mode: 0o700 });
    const path = join(run, 'agent.pid');
    execFileSync('mkfifo', [path]);
    assert.equal(readPidFile(path), null);
  });

  test('a run folder that is a link out of the home is not read through', () => {
    const home = join(dir, 'linked-run');
    const outside = join(dir, 'outside-run');
    mkdirSync(home);
    mkdirSync(outside);
    writePidFile(join(outside, 'agent.pid'), record);
    symlinkSync(outside, join(home, 'run'));
    assert.equal(readPidFile(join(home, 'run', 'agent.pid')), null);
  });
});

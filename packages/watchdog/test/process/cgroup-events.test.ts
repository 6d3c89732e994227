import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  CGROUP2_MOUNTS,
  cgroupEventsFile,
  findCgroupEvents,
  parseCgroupV2Path,
  validCgroupPath,
} from '../../src/process/cgroup-events.ts';
import { testCgroup } from './test-cgroup.ts';

describe('parseCgroupV2Path', () => {
  test('takes the 0:: line of a hybrid or a unified host', () => {
    const hybrid = [
      '12:pids:/system.slice/vigil-agent.service',
      '1:name=systemd:/system.slice/vigil-agent.service',
      '0::/system.slice/vigil-agent.service',
      '',
    ].join('\n');
    assert.equal(parseCgroupV2Path(hybrid), '/system.slice/vigil-agent.service');
    assert.equal(
      parseCgroupV2Path('0::/system.slice/vigil-agent.service\n'),
      '/system.slice/vigil-agent.service',
    );
  });

  test('null without a cgroup v2 line (cgroup v1 only), or for the root cgroup', () => {
    assert.equal(parseCgroupV2Path('4:memory:/user.slice\n1:name=systemd:/user.slice\n'), null);
    assert.equal(parseCgroupV2Path('0::/\n'), null);
    assert.equal(parseCgroupV2Path(''), null);
    // A v1 line whose controller list is empty is not the v2 line.
    assert.equal(parseCgroupV2Path('10::/x\n'), null);
  });

  test('null for a removed cgroup, as a zombie of it reads it', () => {
    assert.equal(parseCgroupV2Path('0::/system.slice/vigil-agent.service (deleted)\n'), null);
  });
});

describe('validCgroupPath', () => {
  test('accepts absolute paths of plain segments, odd characters included', () => {
    for (const path of ['/a', '/system.slice/vigil-agent.service', '/a/b c/d\\x2de', '/...', '/a..b']) {
      assert.equal(validCgroupPath(path), path);
    }
  });

  test('refuses what could leave the cgroup tree or is not a cgroup path', () => {
    for (const path of [
      '',
      '/',
      'system.slice/x',
      '/..',
      '/a/../../etc',
      '/a/..',
      '/./a',
      '/a/.',
      '//a',
      '/a//b',
      '/a/',
      '/a\0b',
      '/a\nb',
      '/a\u007fb',
      `/${'a'.repeat(5000)}`,
    ]) {
      assert.equal(validCgroupPath(path), null, JSON.stringify(path));
    }
  });
});

describe('cgroupEventsFile', () => {
  test('joins a valid path under the mount', () => {
    assert.equal(
      cgroupEventsFile('/sys/fs/cgroup', '/system.slice/vigil-agent.service'),
      '/sys/fs/cgroup/system.slice/vigil-agent.service/cgroup.events',
    );
    assert.equal(cgroupEventsFile('/sys/fs/cgroup/unified', '/a'), '/sys/fs/cgroup/unified/a/cgroup.events');
  });

  test('null for an unsafe path or a mount that is not a plain absolute path', () => {
    assert.equal(cgroupEventsFile('/sys/fs/cgroup', '/a/../../../etc'), null);
    assert.equal(cgroupEventsFile('/sys/fs/cgroup', '/'), null);
    assert.equal(cgroupEventsFile('sys/fs/cgroup', '/a'), null);
    assert.equal(cgroupEventsFile('/sys/fs/cgroup/', '/a'), null);
    assert.equal(cgroupEventsFile('/sys/fs/../fs/cgroup', '/a'), null);
  });
});

describe('findCgroupEvents', () => {
  const children: ChildProcess[] = [];
  const dirs: string[] = [];
  after(() => {
    for (const child of children) child.kill('SIGKILL');
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  test('says why when /proc has no such process', () => {
    const found = findCgroupEvents(2 ** 22 + 1);
    assert.equal(found.file, null);
    assert.match(found.reason, /cannot be read/);
  });

  test('finds no cgroup2 where none is mounted', (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-not-cgroup-'));
    dirs.push(dir);
    const found = findCgroupEvents(process.pid, { mounts: [dir] });
    assert.equal(found.file, null);
    // This process may be in the root cgroup (nothing to watch) or in another: either is said.
    if (!/no cgroup2 mount/.test(found.reason)) t.diagnostic(found.reason);
    assert.match(found.reason, /no cgroup2 mount|names no cgroup v2|holds the watchdog/);
  });

  test("refuses a cgroup that holds the watchdog's own", async (t) => {
    const cgroup = testCgroup('refuse-own');
    if (!cgroup) return t.skip('no cgroup2 to make a cgroup in (needs root and a writable cgroup2 mount)');
    t.after(() => cgroup.remove());
    const child = spawn('sleep', ['1000'], { stdio: 'ignore' });
    children.push(child);
    cgroup.add(child.pid as number);
    const found = findCgroupEvents(child.pid as number, { exclude: `${cgroup.path}/watchdog` });
    assert.equal(found.file, null);
    assert.match(found.reason, /holds the watchdog too/);
    child.kill('SIGKILL');
  });

  test("finds the cgroup.events of a process's own cgroup, which must list it", async (t) => {
    const cgroup = testCgroup('find');
    if (!cgroup) return t.skip('no cgroup2 to make a cgroup in (needs root and a writable cgroup2 mount)');
    t.after(() => cgroup.remove());
    const child = spawn('sleep', ['1000'], { stdio: 'ignore' });
    children.push(child);
    cgroup.add(child.pid as number);
    const found = findCgroupEvents(child.pid as number);
    assert.equal(found.file, `${cgroup.dir}/cgroup.events`);
    assert.ok(CGROUP2_MOUNTS.some((mount) => found.file?.startsWith(`${mount}/`)));
    child.kill('SIGKILL');
  });

  test('refuses a mount whose cgroup of that name does not list the process', async (t) => {
    const cgroup = testCgroup('other-mount');
    if (!cgroup) return t.skip('no cgroup2 to make a cgroup in (needs root and a writable cgroup2 mount)');
    t.after(() => cgroup.remove());
    // A cgroup of the same path below another cgroup2 directory stands for a mount of another
    // namespace: it exists, reads like cgroup.events, but is not the process's.
    const elsewhere = `${cgroup.dir}-elsewhere`;
    mkdirSync(`${elsewhere}${cgroup.path}`, { recursive: true });
    t.after(() => {
      rmdirSync(`${elsewhere}${cgroup.path}`);
      rmdirSync(elsewhere);
    });
    const child = spawn('sleep', ['1000'], { stdio: 'ignore' });
    children.push(child);
    cgroup.add(child.pid as number);
    const found = findCgroupEvents(child.pid as number, { mounts: [elsewhere] });
    assert.equal(found.file, null);
    assert.match(found.reason, /does not list pid/);
    child.kill('SIGKILL');
  });
});

// The status file and the metrics textfile are rewritten through a fresh temp file: nothing
// planted at the name, or at the temp name an older vigil used, is ever written through; a
// removed run folder comes back; a write that fails is retried on the next change.
import assert from 'node:assert/strict';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { StatusSnapshot } from '@vigil/shared';
import { renderProm, WatchdogCounters, writeProm } from '../../src/status/prom-textfile.ts';
import { StatusFile } from '../../src/status/status-file.ts';

const dir = mkdtempSync('/tmp/vg-status-');
after(() => rmSync(dir, { recursive: true, force: true }));

const snapshot = (pid = 42): StatusSnapshot => ({
  v: 1,
  updatedAt: 1,
  watchdog: {
    pid,
    version: '0',
    uptimeMs: 0,
    mode: 'embedded',
    startedAt: 0,
    paused: false,
    pausedUntil: null,
  },
  agent: {
    state: 'healthy',
    pid: 7,
    uptimeMs: 0,
    lastHeartbeatAgoMs: 0,
    restarts: 0,
    rssBytes: null,
    cpuPercent: null,
    eventLoopLagMs: null,
    health: null,
    version: null,
    adopted: false,
    startedAt: null,
  },
  recovery: {
    rung: 'none',
    incidentId: null,
    signal: null,
    backoffMs: null,
    nextRetryAt: null,
    restartsInWindow: 0,
  },
  incidents: [],
});

function victim(name: string): string {
  const path = join(dir, `${name}-victim`);
  writeFileSync(path, 'root only\n', { mode: 0o600 });
  return path;
}

describe('status file', () => {
  test('links at the name and at the old temp name are never written through', () => {
    const run = join(dir, 'links', 'run');
    mkdirSync(run, { recursive: true, mode: 0o700 });
    const path = join(run, 'status.json');
    const atName = victim('name');
    const atTemp = victim('temp');
    symlinkSync(atName, path);
    symlinkSync(atTemp, `${path}.${process.pid}.tmp`);
    const file = new StatusFile({ path, build: () => snapshot(), dirMode: 0o700 });
    file.writeNow();
    file.close();
    assert.equal(readFileSync(atName, 'utf8'), 'root only\n');
    assert.equal(readFileSync(atTemp, 'utf8'), 'root only\n');
    assert.ok(lstatSync(path).isFile());
    assert.equal(JSON.parse(readFileSync(path, 'utf8')).watchdog.pid, 42);
    assert.equal(statSync(path).mode & 0o777, 0o640);
  });

  test('a removed run folder comes back at the next write; a failed write is retried at the next change', () => {
    const run = join(dir, 'removed', 'run');
    const path = join(run, 'status.json');
    let pid = 1;
    const file = new StatusFile({ path, build: () => snapshot(pid), dirMode: 0o700 });
    file.writeNow();
    rmSync(run, { recursive: true });
    pid = 2;
    file.writeNow();
    assert.equal(JSON.parse(readFileSync(path, 'utf8')).watchdog.pid, 2);
    assert.equal(statSync(run).mode & 0o777, 0o700);
    // A file where the folder must be: the write fails softly, and the next one succeeds.
    rmSync(run, { recursive: true });
    writeFileSync(run, '');
    pid = 3;
    assert.doesNotThrow(() => file.writeNow());
    rmSync(run);
    pid = 4;
    file.writeNow();
    file.close();
    assert.equal(JSON.parse(readFileSync(path, 'utf8')).watchdog.pid, 4);
  });
});

describe('metrics textfile', () => {
  test('links at the name and at the old temp name are never written through', () => {
    const state = join(dir, 'prom');
    mkdirSync(state, { mode: 0o750 });
    const path = join(state, 'vigil.prom');
    const atName = victim('prom-name');
    const atTemp = victim('prom-temp');
    symlinkSync(atName, path);
    symlinkSync(atTemp, `${path}.${process.pid}.tmp`);
    assert.equal(writeProm(path, snapshot(), new WatchdogCounters(), 0o750), null);
    assert.equal(readFileSync(atName, 'utf8'), 'root only\n');
    assert.equal(readFileSync(atTemp, 'utf8'), 'root only\n');
    assert.equal(readFileSync(path, 'utf8'), renderProm(snapshot(), new WatchdogCounters()));
  });

  test("node_exporter's folder is never created; the error is returned, not thrown", () => {
    const path = join(dir, 'no-such-collector', 'vigil.prom');
    const error = writeProm(path, snapshot(), new WatchdogCounters());
    assert.equal((error as NodeJS.ErrnoException | null)?.code, 'ENOENT');
    assert.ok(!existsSync(join(dir, 'no-such-collector')));
  });
});

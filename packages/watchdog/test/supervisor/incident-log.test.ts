import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createLogger, type IncidentEvent, readHistory } from '@vigil/shared';
import { FakeClock } from '@vigil/shared/testing';
import { HistoryFile } from '../../src/history/history-file.ts';
import { IncidentLog } from '../../src/supervisor/incident-log.ts';

const ROOT = fileURLToPath(new URL('../../../..', import.meta.url));
const FILLS_DISK = fileURLToPath(new URL('../history/fixtures/fills-disk.ts', import.meta.url));
const dir = mkdtempSync('/tmp/vg-ilog-');
after(() => rmSync(dir, { recursive: true, force: true }));
const logger = createLogger({ component: 'watchdog', level: 'silent' });

const event = (incidentId: string, at: number, kind: IncidentEvent['kind']): IncidentEvent => ({
  v: 1,
  incidentId,
  at,
  kind,
  ...(kind === 'opened' ? { signal: 'exit' } : { outcome: 'restarted' }),
});

describe('incident log', () => {
  test('incidents during a full disk (a real 256 KiB tmpfs) are written, in order, once there is room', () => {
    const disk = join(dir, 'disk');
    mkdirSync(disk);
    // A private mount namespace: no root needed, and the mount is gone when the child exits.
    const result = spawnSync(
      'unshare',
      [
        '-rm',
        'sh',
        '-c',
        'mount -t tmpfs -o size=256k tmpfs "$1" && exec "$2" --import tsx "$3" "$1"',
        'sh',
        disk,
        process.execPath,
        FILLS_DISK,
      ],
      { cwd: ROOT, encoding: 'utf8', timeout: 60_000 },
    );
    assert.equal(result.status, 0, `the full-disk run failed:\n${result.stderr}`);
    const outcome = JSON.parse(result.stdout.trim()) as {
      queuedWhileFull: number;
      recentWhileFull: string[];
      queuedAfter: number;
      dropped: number;
      written: string[];
      skipped: number;
    };
    assert.equal(outcome.queuedWhileFull, 8, 'all 8 events of the 4 incidents waited in memory');
    for (let i = 1; i <= 4; i++) assert.ok(outcome.recentWhileFull.includes(`full-${i}`));
    assert.equal(outcome.queuedAfter, 0);
    assert.equal(outcome.dropped, 0);
    const expected = ['before:opened'];
    for (let i = 1; i <= 4; i++) expected.push(`full-${i}:opened`, `full-${i}:closed`);
    assert.deepEqual(outcome.written, expected, '4 of 4 incidents reached the history, in order');
    assert.ok(
      outcome.skipped <= 1,
      `at most the one line torn by the full disk is skipped (${outcome.skipped})`,
    );
  });

  test('while writes fail the queue is bounded: the oldest are dropped and counted, the rest written in order', () => {
    const home = join(dir, 'bounded');
    mkdirSync(home);
    const path = join(home, 'state', 'history.jsonl');
    // `state` is a file, not a folder: every write fails until it is put right.
    writeFileSync(join(home, 'state'), '');
    const clock = new FakeClock();
    const file = new HistoryFile({ path, maxBytes: 1 << 20, keep: 1, logger });
    const log = new IncidentLog({ file, path, keep: 1, logger, clock, maxQueued: 5, retryInitialMs: 500 });
    for (let i = 0; i < 8; i++) {
      log.append(event(`i${i}`, i, 'opened'));
      log.flush();
    }
    assert.equal(log.queued, 5);
    assert.equal(log.dropped, 3);
    rmSync(join(home, 'state'));
    clock.advance(500);
    assert.equal(log.queued, 0);
    assert.deepEqual(
      readHistory(path, 1).events.map((e) => e.incidentId),
      ['i3', 'i4', 'i5', 'i6', 'i7'],
    );
    log.close();
    file.close();
  });

  test('history is loaded once from the end of the file, bounded; requests are answered from memory', () => {
    const home = join(dir, 'tail');
    mkdirSync(home);
    const path = join(home, 'history.jsonl');
    const lines: string[] = [];
    for (let i = 0; i < 300; i++) lines.push(JSON.stringify(event(`i${i}`, i, 'opened')));
    writeFileSync(path, `${lines.join('\n')}\n`);
    const file = new HistoryFile({ path, maxBytes: 1 << 20, keep: 1, logger });
    const log = new IncidentLog({ file, path, keep: 1, logger, loadBytes: 4096, memoryIncidents: 1000 });
    const loaded = log.recent(1000).map((i) => i.id);
    assert.equal(loaded[0], 'i299', 'the newest incident is there');
    assert.ok(loaded.length < 100, `only the file's last 4 KiB was read (${loaded.length} incidents)`);
    assert.ok(!loaded.includes('i0'));
    // The file is never read again for a request.
    rmSync(path);
    assert.deepEqual(
      log.recent(1000).map((i) => i.id),
      loaded,
    );
    log.close();
    file.close();
  });

  test('memory keeps the newest incidents only', () => {
    const path = join(dir, 'memory.jsonl');
    const file = new HistoryFile({ path, maxBytes: 1 << 20, keep: 1, logger });
    const log = new IncidentLog({ file, path, keep: 1, logger, memoryIncidents: 3 });
    for (let i = 0; i < 6; i++) log.append(event(`m${i}`, i, 'opened'));
    log.append(event('m5', 10, 'closed'));
    assert.deepEqual(
      log.recent(10).map((i) => i.id),
      ['m5', 'm4', 'm3'],
    );
    log.close();
    file.close();
  });
});

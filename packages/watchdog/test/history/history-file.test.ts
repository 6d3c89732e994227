import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { foldIncidents, type IncidentEvent, readHistory } from '@vigil/shared';
import { HistoryFile } from '../../src/history/history-file.ts';
import { newIncidentId } from '../../src/history/incident-id.ts';

const dir = mkdtempSync('/tmp/vg-hist-');
after(() => rmSync(dir, { recursive: true, force: true }));

const event = (
  incidentId: string,
  at: number,
  kind: IncidentEvent['kind'],
  extra: Partial<IncidentEvent> = {},
): IncidentEvent => ({
  v: 1,
  incidentId,
  at,
  kind,
  ...extra,
});

describe('history file', () => {
  test('appends lines that read back in order', () => {
    const path = join(dir, 'a.jsonl');
    const h = new HistoryFile({ path, maxBytes: 1 << 20, keep: 3 });
    h.append(event('i1', 1, 'opened', { signal: 'exit' }));
    h.append(event('i1', 2, 'closed', { outcome: 'restarted' }));
    h.close();
    assert.deepEqual(
      readHistory(path).events.map((e) => e.kind),
      ['opened', 'closed'],
    );
  });

  test('rotates past maxBytes and keeps N files, reading across them', () => {
    const path = join(dir, 'b.jsonl');
    const h = new HistoryFile({ path, maxBytes: 4096, keep: 2 });
    for (let i = 0; i < 200; i++)
      h.append(event(`i${i}`, i, 'opened', { signal: 'exit', detail: 'x'.repeat(40) }));
    h.close();
    assert.ok(existsSync(`${path}.1`) && existsSync(`${path}.2`));
    assert.ok(!existsSync(`${path}.3`));
    assert.ok(readFileSync(path, 'utf8').length <= 4096);
    const { events } = readHistory(path, 2);
    const ats = events.map((e) => e.at);
    assert.deepEqual(
      ats,
      [...ats].sort((a, b) => a - b),
      'oldest first across files',
    );
    assert.equal(ats.at(-1), 199);
  });

  test('a truncated last line and garbage lines are skipped, never fatal', () => {
    const path = join(dir, 'c.jsonl');
    writeFileSync(
      path,
      `${JSON.stringify(event('i1', 1, 'opened', { signal: 'exit' }))}\nGARBAGE\n{"v":1,"incidentId":5}\n`,
    );
    appendFileSync(path, '{"v":1,"incidentId":"i1","at":2,"kind":"clo');
    const { events, skipped } = readHistory(path);
    assert.equal(events.length, 1);
    assert.equal(skipped, 3);
  });

  test('a torn last line (a crash mid-write) gets its newline: the next event is on its own line', () => {
    const path = join(dir, 'torn.jsonl');
    writeFileSync(path, `${JSON.stringify(event('i1', 1, 'opened', { signal: 'exit' }))}\n`);
    appendFileSync(path, '{"v":1,"incidentId":"i1","at":2,"kind":"clo');
    const h = new HistoryFile({ path, maxBytes: 1 << 20, keep: 1 });
    const next = event('i2', 3, 'opened', { signal: 'cpu' });
    h.append(next);
    h.append(event('i2', 4, 'closed', { outcome: 'resolved' }));
    h.close();
    const lines = readFileSync(path, 'utf8').split('\n');
    assert.equal(lines[1], '{"v":1,"incidentId":"i1","at":2,"kind":"clo');
    assert.equal(lines[2], JSON.stringify(next));
    const { events, skipped } = readHistory(path);
    assert.deepEqual(
      events.map((e) => `${e.incidentId}:${e.kind}`),
      ['i1:opened', 'i2:opened', 'i2:closed'],
    );
    assert.equal(skipped, 1);
  });

  test('a symlink planted at the history name is moved aside; the file it points at is untouched', () => {
    const home = join(dir, 'linked');
    mkdirSync(home);
    const victim = join(dir, 'linked-victim');
    writeFileSync(victim, 'root:x:0:0\n', { mode: 0o600 });
    const path = join(home, 'history.jsonl');
    symlinkSync(victim, path);
    assert.deepEqual(readHistory(path).events, [], 'a link is not read either');
    const h = new HistoryFile({ path, maxBytes: 1 << 20, keep: 1 });
    h.append(event('i1', 1, 'opened', { signal: 'exit' }));
    h.close();
    assert.equal(readFileSync(victim, 'utf8'), 'root:x:0:0\n');
    assert.ok(lstatSync(path).isFile());
    assert.equal(readHistory(path).events.length, 1);
  });

  test('a FIFO at the history name neither blocks the reader nor takes the lines', () => {
    const home = join(dir, 'fifo');
    mkdirSync(home);
    const path = join(home, 'history.jsonl');
    execFileSync('mkfifo', [path]);
    assert.deepEqual(readHistory(path).events, []);
    const h = new HistoryFile({ path, maxBytes: 1 << 20, keep: 1 });
    h.append(event('i1', 1, 'opened', { signal: 'exit' }));
    h.close();
    assert.equal(readHistory(path).events.length, 1);
  });

  test('a history file removed while open is created again by the next append', () => {
    const home = join(dir, 'removed');
    const path = join(home, 'state', 'history.jsonl');
    const h = new HistoryFile({ path, maxBytes: 1 << 20, keep: 1 });
    h.append(event('i1', 1, 'opened', { signal: 'exit' }));
    rmSync(join(home, 'state'), { recursive: true });
    h.append(event('i1', 2, 'closed', { outcome: 'restarted' }));
    h.close();
    assert.deepEqual(
      readHistory(path).events.map((e) => e.kind),
      ['closed'],
    );
  });

  test('a write that fails says how far it got, and the next append works', () => {
    const home = join(dir, 'fails');
    mkdirSync(home);
    const path = join(home, 'state', 'history.jsonl');
    writeFileSync(join(home, 'state'), 'not a folder');
    const h = new HistoryFile({ path, maxBytes: 1 << 20, keep: 1 });
    const outcome = h.appendAll([event('i1', 1, 'opened', { signal: 'exit' })]);
    assert.equal(outcome.written, 0);
    assert.equal((outcome.error as { code?: string }).code, 'VIGIL_PATH_UNSAFE');
    rmSync(join(home, 'state'));
    assert.equal(h.appendAll([event('i1', 1, 'opened', { signal: 'exit' })]).written, 1);
    h.close();
  });

  test('a binary file is not fatal', () => {
    const path = join(dir, 'd.jsonl');
    writeFileSync(path, Buffer.from([0, 1, 2, 255, 10, 0xc3, 0x28, 10]));
    assert.equal(readHistory(path).events.length, 0);
  });
});

describe('folding incidents', () => {
  test('timelines, highest rung, outcome and duration, newest first', () => {
    const incidents = foldIncidents([
      event('a', 1000, 'opened', { signal: 'memory', detail: 'RSS high' }),
      event('a', 1001, 'rung', { rung: 'soft' }),
      event('a', 1050, 'result', { rung: 'soft', ok: true, did: ['gc'] }),
      event('b', 2000, 'opened', { signal: 'heartbeat-lost' }),
      event('a', 3001, 'rung', { rung: 'medium' }),
      event('a', 4000, 'closed', { outcome: 'resolved', rung: 'medium' }),
      event('b', 2001, 'rung', { rung: 'hard' }),
      event('b', 2002, 'evidence', {
        evidence: { stack: ['blockForever (/x.js:3:1)'], source: 'stall-sentinel' },
      }),
    ]);
    assert.deepEqual(
      incidents.map((i) => i.id),
      ['b', 'a'],
    );
    const [b, a] = incidents;
    assert.equal(a?.signal, 'memory');
    assert.equal(a?.detail, 'RSS high');
    assert.deepEqual(a?.rungs, ['soft', 'medium']);
    assert.equal(a?.rung, 'medium');
    assert.equal(a?.outcome, 'resolved');
    assert.equal(a?.durationMs, 3000);
    assert.equal(b?.closedAt, null, 'still open');
    assert.deepEqual(b?.evidence?.stack, ['blockForever (/x.js:3:1)']);
    assert.equal(a?.timeline.length, 5);
  });

  test('incident ids are readable and distinct', () => {
    const id = newIncidentId(Date.UTC(2026, 10, 23, 10, 15, 12));
    assert.match(id, /^20261123-101512-[0-9a-f]{4}$/);
    assert.notEqual(newIncidentId(), newIncidentId());
  });
});

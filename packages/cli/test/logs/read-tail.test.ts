import assert from 'node:assert/strict';
import { closeSync, openSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { after, describe, test } from 'node:test';
import type { LogQuery } from '../../src/logs/filters.ts';
import { completeLinesEnd, readLinesBackward } from '../../src/logs/read-backward.ts';
import { tailRecords } from '../../src/logs/read-tail.ts';
import { makeLogHome, pinoLine, records, runLogs, T0 } from './support/log-home.ts';

const home = makeLogHome();
after(() => home.remove());

const ALL: LogQuery = { minLevel: 0, units: ['watchdog', 'agent'], since: null, incident: null, count: null };

async function tail(path: string, query: Partial<LogQuery>, end?: number) {
  const handle = await open(path, 'r');
  try {
    const info = await handle.stat();
    return await tailRecords({
      handle,
      end: end ?? info.size,
      mtimeMs: info.mtimeMs,
      unit: 'agent',
      query: { ...ALL, ...query },
    });
  } finally {
    await handle.close();
  }
}

describe('reading a log backwards', () => {
  test('lines come last first, whole, even when a chunk boundary splits a character', async () => {
    const path = `${home.home}/utf8.log`;
    const lines = Array.from({ length: 40 }, (_, i) => `line ${i} — ünïcødé ✓ ${'x'.repeat(i)}`);
    writeFileSync(path, `${lines.join('\n')}\npartial`);
    const handle = await open(path, 'r');
    const seen: string[] = [];
    for await (const line of readLinesBackward(handle, statSync(path).size, 7)) seen.push(line);
    const end = await completeLinesEnd(handle, statSync(path).size, 5);
    await handle.close();
    assert.deepEqual(seen, ['partial', ...lines.reverse()]);
    assert.equal(end, statSync(path).size - 'partial'.length);
  });

  test('-n from a 50 MB file reads only its end and returns exactly the last N', async () => {
    const path = `${home.home}/big.log`;
    const fd = openSync(path, 'w');
    const perChunk = 5000;
    let written = 0;
    let seq = 0;
    while (written < 50 * 1024 * 1024) {
      let text = '';
      for (let i = 0; i < perChunk; i++, seq++) text += pinoLine('agent', T0 + seq, `line ${seq}`, { seq });
      written += writeSync(fd, text);
    }
    closeSync(fd);
    const started = performance.now();
    const result = await tail(path, { count: 50 });
    const tookMs = performance.now() - started;
    assert.deepEqual(
      result.records.map((record) => record.json?.seq),
      Array.from({ length: 50 }, (_, i) => seq - 50 + i),
    );
    assert.ok(tookMs < 500, `tail of a 50 MB file took ${tookMs} ms`);
  });

  test('the CLI prints exactly the last N of a 50 MB agent.log, quickly', async () => {
    const fd = openSync(home.agentLog, 'w');
    let seq = 0;
    for (let chunk = 0; chunk < 80; chunk++) {
      let text = '';
      for (let i = 0; i < 5000; i++, seq++)
        text += pinoLine('agent', T0 + seq, `line ${seq}`, { seq, pad: 'p'.repeat(20) });
      writeSync(fd, text);
    }
    closeSync(fd);
    assert.ok(statSync(home.agentLog).size > 50 * 1024 * 1024);
    const started = performance.now();
    const result = await runLogs(['--json', '-n', '25'], { VIGIL_HOME: home.home });
    const tookMs = performance.now() - started;
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(
      records(result.stdout).map((record) => record.seq),
      Array.from({ length: 25 }, (_, i) => seq - 25 + i),
    );
    assert.ok(tookMs < 5000, `vigil logs -n 25 on a 50 MB log took ${tookMs} ms`);
  });

  test('raw lines take the time of the pino line before them, however far back it is', async () => {
    const path = `${home.home}/crash.log`;
    const stack = [
      'TypeError: boom',
      ...Array.from({ length: 3000 }, (_, i) => `    at frame${i} (agent.js:${i}:1)`),
    ];
    writeFileSync(
      path,
      `${pinoLine('agent', T0, 'before')}${pinoLine('agent', T0 + 5, 'last pino')}${stack.join('\n')}\n`,
    );
    const result = await tail(path, { count: 3 });
    assert.deepEqual(
      result.records.map((record) => [record.time, record.level, record.line]),
      stack.slice(-3).map((line) => [T0 + 5, 50, line]),
    );
    assert.equal(result.lastPinoTime, T0 + 5);
    const errorsOnly = await tail(path, { count: 2, minLevel: 50 });
    assert.equal(errorsOnly.records.length, 2);
  });

  test('raw lines before any pino line take the first pino time, or the mtime with none at all', async () => {
    const path = `${home.home}/leading.log`;
    writeFileSync(path, `booting\n${pinoLine('agent', T0 + 100, 'up')}`);
    assert.deepEqual(
      (await tail(path, {})).records.map((record) => [record.line, record.time]),
      [
        ['booting', T0 + 100],
        [pinoLine('agent', T0 + 100, 'up').trimEnd(), T0 + 100],
      ],
    );
    const onlyRaw = `${home.home}/only-raw.log`;
    writeFileSync(onlyRaw, 'a\nb\n');
    const mtime = statSync(onlyRaw).mtimeMs;
    assert.deepEqual(
      (await tail(onlyRaw, {})).records.map((record) => record.time),
      [mtime, mtime],
    );
  });

  test('reading stops at --since: records before it are not returned', async () => {
    const path = `${home.home}/since.log`;
    writeFileSync(
      path,
      Array.from({ length: 100 }, (_, i) => pinoLine('agent', T0 + i * 1000, `m${i}`)).join(''),
    );
    const result = await tail(path, { since: T0 + 95_000 });
    assert.deepEqual(
      result.records.map((record) => record.json?.msg),
      ['m95', 'm96', 'm97', 'm98', 'm99'],
    );
  });
});

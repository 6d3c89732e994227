import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { formatHumanLine } from '@vigil/shared';

const dir = mkdtempSync('/tmp/vg-log-');
after(() => rmSync(dir, { recursive: true, force: true }));
const sharedEntry = fileURLToPath(import.meta.resolve('@vigil/shared'));

function runChild(file: string, body: string) {
  const script = `
    import { createLogger } from ${JSON.stringify(sharedEntry)};
    const log = createLogger({ component: 'watchdog', file: ${JSON.stringify(file)} });
    ${body}
  `;
  return spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
}

const records = (file: string) =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('createLogger', () => {
  test('JSON lines with component, level and time', () => {
    const file = join(dir, 'a', 'watchdog.log');
    const child = runChild(file, `log.info({ incidentId: 'i1' }, 'agent started'); log.warn('late');`);
    assert.equal(child.status, 0, child.stderr);
    const [first, second] = records(file);
    assert.equal(first?.component, 'watchdog');
    assert.equal(first?.msg, 'agent started');
    assert.equal(first?.incidentId, 'i1');
    assert.equal(first?.level, 30);
    assert.equal(first?.levelName, 'info');
    assert.equal(typeof first?.time, 'number');
    assert.equal(second?.levelName, 'warn');
  });

  test('every line is on disk when the process exits at once', () => {
    const file = join(dir, 'b.log');
    // Each message differs: repeats of one message are rate-limited in the watchdog's log.
    const child = runChild(
      file,
      `for (let i = 0; i < 2000; i++) log.info({ i }, 'line ' + i); process.exit(3);`,
    );
    assert.equal(child.status, 3);
    const lines = records(file);
    assert.equal(lines.length, 2000);
    assert.equal(lines.at(-1)?.i, 1999);
  });

  test('a line written just before a crash survives it', () => {
    const file = join(dir, 'c.log');
    const child = runChild(file, `log.fatal('about to crash'); throw new Error('boom');`);
    assert.notEqual(child.status, 0);
    assert.equal(records(file)[0]?.msg, 'about to crash');
  });

  test('the human echo line is short and readable', () => {
    const line = formatHumanLine(
      JSON.stringify({
        level: 40,
        levelName: 'warn',
        time: Date.UTC(2026, 0, 1, 3, 4, 5, 6),
        component: 'watchdog',
        msg: 'heartbeat lost',
        pid: 5,
        ageMs: 1500,
      }),
    );
    assert.match(line, /^\d\d:\d\d:\d\d\.\d{3} WARN {2}watchdog heartbeat lost {2}ageMs=1500\n$/);
    assert.equal(formatHumanLine('not json'), 'not json\n');
  });
});

describe('createLogger never throws', () => {
  test('when the log folder cannot be created, logging goes on and the lines are counted', () => {
    const blocker = join(dir, 'not-a-folder');
    writeFileSync(blocker, '');
    const child = runChild(
      join(blocker, 'log', 'watchdog.log'),
      `log.info('one'); log.error('two'); process.stdout.write('alive\\n');`,
    );
    assert.equal(child.status, 0, child.stderr);
    assert.equal(child.stdout, 'alive\n');
    assert.match(child.stderr, /cannot write .*watchdog\.log .*dropped and counted/);
    assert.equal(child.stderr.split('\n').filter((l) => l.includes('cannot write')).length, 1, 'said once');
  });

  test('stdout on a full disk (/dev/full) costs the lines, not the process', () => {
    const full = openSync('/dev/full', 'w');
    const script = `
      import { createLogger } from ${JSON.stringify(sharedEntry)};
      const log = createLogger({ component: 'agent' });
      for (let i = 0; i < 100; i++) log.info({ i }, 'to stdout');
      log.fatal('still fine');
    `;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', full, 'pipe'],
      encoding: 'utf8',
    });
    closeSync(full);
    assert.equal(child.status, 0, child.stderr);
  });

  test('repeats of one message are rate-limited in the watchdog log, with a summary', () => {
    const file = join(dir, 'flap.log');
    const child = runChild(
      file,
      `for (let i = 0; i < 500; i++) { log.info({ i }, 'agent said hello'); log.warn('agent disconnected'); }
       log.error('kept');`,
    );
    assert.equal(child.status, 0, child.stderr);
    const lines = records(file);
    assert.equal(lines.filter((r) => r.msg === 'agent said hello').length, 5);
    assert.equal(lines.filter((r) => r.msg === 'agent disconnected').length, 5);
    assert.equal(lines.at(-1)?.msg, 'kept');
  });
});

import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { FakeClock } from '@vigil/shared/testing';
import { baselinePath, createFileIntegrityCheck } from '../../src/checks/file-integrity.ts';
import { checkConfig, testContext } from './support/check-config.ts';

const signal = () => AbortSignal.timeout(10_000);
const clock = new FakeClock(0, Date.UTC(2026, 0, 2, 3, 4, 5));
const context = testContext(clock);
after(() => context.dispose());

function fileCheck(name: string, path: string) {
  return createFileIntegrityCheck(checkConfig({ type: 'file', name, path }), context.stateDir, clock);
}

test('first run records the baseline; a change stays critical until the baseline is deleted', async () => {
  const target = join(context.stateDir, 'hosts');
  writeFileSync(target, '127.0.0.1 localhost\n');
  const check = fileCheck('hosts', target);

  const first = await check.run(signal());
  assert.equal(first.status, 'ok');
  assert.match(first.summary, /baseline recorded \(sha256 [0-9a-f]{12}…\)$/);
  const file = baselinePath(context.stateDir, 'hosts');
  const baseline = JSON.parse(readFileSync(file, 'utf8'));
  assert.deepEqual(Object.keys(baseline).sort(), ['path', 'recordedAt', 'sha256', 'size']);
  assert.equal(baseline.path, target);
  assert.equal(baseline.size, 20);
  assert.equal(baseline.recordedAt, '2026-01-02T03:04:05.000Z');
  assert.deepEqual(readdirSync(join(context.stateDir, 'baselines')), ['hosts.json'], 'no temp file left');

  const same = await check.run(signal());
  assert.equal(same.status, 'ok');
  assert.equal(same.summary, `${target} unchanged since 2026-01-02T03:04:05.000Z`);

  writeFileSync(target, '127.0.0.1 localhost evil.example\n');
  for (const _ of [1, 2]) {
    const changed = await check.run(signal());
    assert.equal(changed.status, 'critical');
    assert.match(changed.summary, /changed since baseline recorded at 2026-01-02T03:04:05\.000Z; delete /);
  }
  assert.equal(JSON.parse(readFileSync(file, 'utf8')).sha256, baseline.sha256, 'never replaced silently');

  rmSync(file);
  const rerecorded = await check.run(signal());
  assert.equal(rerecorded.status, 'ok');
  assert.notEqual(JSON.parse(readFileSync(file, 'utf8')).sha256, baseline.sha256);
});

test('a missing file is critical and records nothing', async () => {
  const check = fileCheck('ghost', join(context.stateDir, 'no-such-file'));
  const outcome = await check.run(signal());
  assert.equal(outcome.status, 'critical');
  assert.match(outcome.summary, /no-such-file missing$/);
  assert.equal(existsSync(baselinePath(context.stateDir, 'ghost')), false);
});

test('a baseline for another path, or a corrupt one, is critical and left alone', async () => {
  const target = join(context.stateDir, 'motd');
  writeFileSync(target, 'hello\n');
  const file = baselinePath(context.stateDir, 'motd');

  writeFileSync(file, 'not json');
  const corrupt = await fileCheck('motd', target).run(signal());
  assert.equal(corrupt.status, 'critical');
  assert.match(corrupt.summary, /^baseline unusable/);
  assert.equal(readFileSync(file, 'utf8'), 'not json');

  rmSync(file);
  await fileCheck('motd', join(context.stateDir, 'hosts')).run(signal());
  const moved = await fileCheck('motd', target).run(signal());
  assert.equal(moved.status, 'critical');
  assert.match(
    moved.summary,
    /^baseline is for .*hosts, not .*motd; delete baselines\/motd\.json to accept$/,
  );
});

test('a link planted at the temp name of the baseline write is not written through', async () => {
  const target = join(context.stateDir, 'planted-tmp');
  writeFileSync(target, 'hello\n');
  const victim = join(context.stateDir, 'victim');
  writeFileSync(victim, 'root only\n', { mode: 0o600 });
  const file = baselinePath(context.stateDir, 'planted-tmp');
  mkdirSync(join(context.stateDir, 'baselines'), { recursive: true });
  symlinkSync(victim, `${file}.${process.pid}.tmp`);
  const outcome = await fileCheck('planted-tmp', target).run(signal());
  assert.equal(outcome.status, 'ok', outcome.summary);
  assert.equal(readFileSync(victim, 'utf8'), 'root only\n');
  assert.equal(JSON.parse(readFileSync(file, 'utf8')).path, target);
});

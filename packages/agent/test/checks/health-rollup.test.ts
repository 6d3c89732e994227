import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileSchema, HealthSummary } from '@vigil/shared/schemas';
import { type RollupInput, rollUpHealth } from '../../src/checks/health-rollup.ts';

const check = (
  name: string,
  status: RollupInput['status'],
  extra: Partial<RollupInput> = {},
): RollupInput => ({
  name,
  status,
  paused: false,
  affectsHealth: false,
  ...extra,
});
const validSummary = compileSchema(HealthSummary, 'health');

test('a critical check that affects health makes the agent failing', () => {
  const health = rollUpHealth([check('api', 'critical', { affectsHealth: true }), check('disk', 'ok')]);
  assert.equal(health.status, 'failing');
  assert.deepEqual(health.failing, ['api']);
});

test('a critical host check only warns: restarting the agent would not fix it', () => {
  assert.equal(
    rollUpHealth([check('disk-root', 'critical'), check('api', 'ok', { affectsHealth: true })]).status,
    'warn',
  );
  assert.equal(rollUpHealth([check('api', 'warn', { affectsHealth: true })]).status, 'warn');
  assert.equal(rollUpHealth([check('api', 'ok', { affectsHealth: true })]).status, 'ok');
});

test('counts, failing names critical first, and the summary line', () => {
  const health = rollUpHealth([
    check('load', 'warn'),
    check('memory', 'ok'),
    check('disk-root', 'critical'),
    check('api', 'ok'),
    check('tcp', 'ok'),
  ]);
  assert.deepEqual(health, {
    status: 'warn',
    summary: '2 of 5 checks failing: disk-root (critical), load (warn)',
    checks: { total: 5, ok: 3, warn: 1, critical: 1, paused: 0 },
    failing: ['disk-root', 'load'],
  });
  assert.equal(rollUpHealth([check('a', 'ok'), check('b', 'ok')]).summary, '2 checks ok');
  assert.equal(rollUpHealth([]).summary, 'no checks configured');
});

test('paused checks are counted apart and judge nothing', () => {
  const health = rollUpHealth([
    check('api', 'critical', { affectsHealth: true, paused: true }),
    check('disk', 'ok'),
  ]);
  assert.equal(health.status, 'ok');
  assert.deepEqual(health.checks, { total: 2, ok: 1, warn: 0, critical: 0, paused: 1 });
  assert.deepEqual(health.failing, []);
  assert.equal(health.summary, '1 check ok, 1 paused');
});

test('a long list stays within the heartbeat schema', () => {
  const many = Array.from({ length: 100 }, (_, i) =>
    check(`check-${i}-${'x'.repeat(50)}`, i % 2 ? 'warn' : 'critical'),
  );
  const health = rollUpHealth(many);
  assert.ok((health.summary ?? '').length <= 512);
  assert.match(health.summary ?? '', /^100 of 100 checks failing: .*, … and \d+ more$/);
  assert.equal(health.failing?.length, 64);
  assert.equal(health.failing?.[0], `check-0-${'x'.repeat(50)}`);
  const parsed = validSummary(structuredClone(health));
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.errors.join('; '));
});

import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { CheckRegistry } from '../../src/checks/check-registry.ts';
import { checkConfig, testContext } from './support/check-config.ts';
import { type Harness, harness, scriptedConfig } from './support/registry-harness.ts';
import { settle } from './support/scripted-check.ts';

const open: Harness[] = [];
function make(...args: Parameters<typeof harness>): Harness {
  const h = harness(...args);
  open.push(h);
  return h;
}
afterEach(() => Promise.all(open.splice(0).map((h) => h.dispose())));

const byName = (h: Harness) => new Map(h.registry.states().map((s) => [s.name, s]));

test('apply diffs by name: added, removed, retuned (state kept), unchanged', async () => {
  const h = make({ random: () => 0.99 });
  h.scripted.script('slow-one', 'wait');
  const first = h.registry.apply([
    scriptedConfig('same'),
    scriptedConfig('tuned', { failAfter: 1 }),
    scriptedConfig('slow-one'),
  ]);
  assert.deepEqual(first, { added: ['same', 'tuned', 'slow-one'], removed: [], retuned: [], unchanged: [] });
  h.scripted.script('tuned', 'critical');
  await h.registry.runNow('tuned');
  void h.registry.runNow('slow-one');
  await settle();
  assert.equal(byName(h).get('tuned')?.status, 'critical');

  const second = h.registry.apply([
    scriptedConfig('added'),
    scriptedConfig('tuned', { failAfter: 1, intervalMs: 5000, labels: { team: 'db' } }),
    scriptedConfig('same'),
  ]);
  assert.deepEqual(second, {
    added: ['added'],
    removed: ['slow-one'],
    retuned: ['tuned'],
    unchanged: ['same'],
  });
  assert.deepEqual(
    h.registry.states().map((s) => s.name),
    ['added', 'tuned', 'same'],
    'config order',
  );
  const tuned = byName(h).get('tuned');
  assert.equal(tuned?.status, 'critical', 'a retuned check keeps its state');
  assert.equal(tuned?.runs, 1);
  assert.equal(h.scripted.runsOf('slow-one')[0]?.signal.aborted, true, 'a removed check is aborted');
  await settle();
  assert.ok(h.scripted.disposed.includes('slow-one'));
  assert.ok(h.scripted.disposed.includes('tuned'), 'the old instance of a retuned check is disposed');
  assert.equal(h.resultsOf('slow-one').length, 0, 'the aborted run of a removed check reports nothing');
  assert.equal(h.scripted.created.filter((n) => n === 'same').length, 1, 'unchanged is not rebuilt');

  // A new type is a new check under an old name: retuned, with fresh state.
  const third = h.registry.apply([checkConfig({ type: 'tcp', name: 'tuned', port: 1 })]);
  assert.deepEqual(third, { added: [], removed: ['added', 'same'], retuned: ['tuned'], unchanged: [] });
  assert.equal(byName(h).get('tuned')?.status, 'ok');
  assert.equal(byName(h).get('tuned')?.runs, 0);
  assert.equal(byName(h).get('tuned')?.type, 'tcp');
});

test('a config that cannot be applied throws and changes nothing', async () => {
  const h = make();
  h.registry.apply([scriptedConfig('a'), scriptedConfig('b')]);
  assert.throws(() => h.registry.apply([scriptedConfig('a'), scriptedConfig('c'), scriptedConfig('c')]), {
    code: 'VIGIL_CHECK_CONFIG_INVALID',
    message: /two checks are named "c"/,
  });
  assert.deepEqual(
    h.registry.states().map((s) => s.name),
    ['a', 'b'],
  );

  // The real factory compiles regular expressions up front.
  const context = testContext();
  const registry = new CheckRegistry({ context, random: () => 0.99 });
  try {
    registry.apply([checkConfig({ type: 'disk', name: 'disk-root' })]);
    assert.throws(
      () =>
        registry.apply([
          checkConfig({ type: 'load', name: 'load' }),
          checkConfig({ type: 'process', name: 'nginx', commandMatch: 'nginx: (master' }),
        ]),
      {
        code: 'VIGIL_CHECK_CONFIG_INVALID',
        message: /check "nginx" \(process\): Invalid regular expression/,
      },
    );
    assert.deepEqual(
      registry.states().map((s) => s.name),
      ['disk-root'],
    );
  } finally {
    await registry.stop();
    context.dispose();
  }
});

test('pauseNonCritical stops the non-critical checks until resumeAll; paused checks count apart', async () => {
  const h = make({ random: () => 0.5 });
  h.registry.apply([scriptedConfig('core', { critical: true }), scriptedConfig('host')]);
  await h.step(2000);
  assert.equal(h.resultsOf('host').length, 2);

  assert.deepEqual(h.registry.pauseNonCritical(), ['host']);
  assert.deepEqual(h.registry.pauseNonCritical(), [], 'already paused');
  const added = h.registry.apply([
    scriptedConfig('core', { critical: true }),
    scriptedConfig('host'),
    scriptedConfig('extra'),
  ]);
  assert.deepEqual(added.added, ['extra']);
  await h.step(5000);
  assert.equal(h.resultsOf('host').length, 2, 'paused: no runs');
  assert.equal(h.resultsOf('extra').length, 0, 'added while degraded: starts paused');
  assert.equal(h.resultsOf('core').length, 7, 'critical checks keep running');
  assert.deepEqual(h.registry.summary().checks, { total: 3, ok: 1, warn: 0, critical: 0, paused: 2 });
  assert.equal(byName(h).get('host')?.paused, true);

  assert.deepEqual(h.registry.resumeAll(), ['host', 'extra']);
  await h.step(3000);
  assert.ok(h.resultsOf('host').length >= 4);
  assert.ok(h.resultsOf('extra').length >= 2);
  assert.equal(h.registry.summary().checks?.paused, 0);
});

test('summary: a critical check that affects health fails the agent; a host check only warns', async () => {
  const h = make({ random: () => 0.99 });
  h.scripted.script('api', 'critical');
  h.scripted.script('disk-root', 'critical');
  h.scripted.script('load', 'warn');
  h.registry.apply([
    scriptedConfig('api', { affectsHealth: true, failAfter: 1 }),
    scriptedConfig('disk-root', { failAfter: 1 }),
    scriptedConfig('load', { failAfter: 1 }),
    scriptedConfig('memory'),
  ]);
  assert.deepEqual(h.registry.summary(), {
    status: 'ok',
    summary: '4 checks ok',
    checks: { total: 4, ok: 4, warn: 0, critical: 0, paused: 0 },
    failing: [],
  });
  await h.registry.runNow('disk-root');
  await h.registry.runNow('load');
  assert.equal(h.registry.summary().status, 'warn');
  assert.equal(h.registry.summary().summary, '2 of 4 checks failing: disk-root (critical), load (warn)');
  await h.registry.runNow('api');
  assert.equal(h.registry.summary().status, 'failing');
  assert.deepEqual(h.registry.summary().failing, ['api', 'disk-root', 'load']);
  assert.deepEqual(h.registry.pauseNonCritical(), ['api', 'disk-root', 'load', 'memory']);
  assert.equal(h.registry.summary().status, 'ok', 'paused checks judge nothing');
});

test('dropCaches resets the http pool and re-runs the failing checks now', async () => {
  const h = make({ random: () => 0.99 });
  h.scripted.script('api', 'critical', 'ok');
  h.registry.apply([scriptedConfig('api', { failAfter: 1, recoverAfter: 1 }), scriptedConfig('quiet')]);
  await h.registry.runNow('api');
  assert.deepEqual(h.registry.dropCaches(), ['http pool: closed 0 pooled connections', 're-running api']);
  await h.step(0);
  assert.equal(h.resultsOf('api').length, 2);
  assert.equal(h.resultsOf('quiet').length, 0);
  assert.equal(byName(h).get('api')?.status, 'ok');
  assert.deepEqual(h.registry.dropCaches(), ['http pool: closed 0 pooled connections']);
});

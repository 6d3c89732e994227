import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createCheck } from '../../src/checks/create-check.ts';
import { createSystemdUnitCheck, systemctlBinary } from '../../src/checks/systemd-unit.ts';
import { checkConfig, testContext } from './support/check-config.ts';

const signal = () => AbortSignal.timeout(10_000);
const dir = mkdtempSync(join(tmpdir(), 'vg-systemctl-'));
const context = testContext();
after(() => {
  context.dispose();
  rmSync(dir, { recursive: true, force: true });
});

// A stand-in for systemctl: a unit's state is the content of a file named after it.
const fake = join(dir, 'systemctl');
writeFileSync(
  fake,
  `#!/bin/sh
[ "$1" = is-active ] || { echo "unexpected: $*" >&2; exit 64; }
[ "$2" = broken.service ] && { echo "Failed to connect to bus: No such file or directory" >&2; exit 1; }
state=$(cat "${dir}/$2" 2>/dev/null) || state=inactive
echo "$state"
[ "$state" = active ]
`,
);
chmodSync(fake, 0o755);

function unit(name: string, state?: string) {
  if (state !== undefined) writeFileSync(join(dir, name), `${state}\n`);
  return createSystemdUnitCheck(checkConfig({ type: 'systemd', name: 'unit', unit: name }), fake);
}

test('active is ok; activating and reloading warn; anything else is critical', async () => {
  const cases = [
    ['active', 'ok'],
    ['activating', 'warn'],
    ['reloading', 'warn'],
    ['failed', 'critical'],
    ['deactivating', 'critical'],
  ] as const;
  for (const [state, status] of cases) {
    const outcome = await unit(`${state}.service`, state).run(signal());
    assert.deepEqual(outcome, { status, summary: `${state}.service is ${state}` });
  }
  assert.equal(
    (await unit('never-installed.service').run(signal())).summary,
    'never-installed.service is inactive',
  );
});

test('systemctl failing without a state is critical with its error', async () => {
  const outcome = await unit('broken.service').run(signal());
  assert.equal(outcome.status, 'critical');
  assert.equal(
    outcome.summary,
    'broken.service: systemctl: Failed to connect to bus: No such file or directory',
  );
  const missing = await createSystemdUnitCheck(
    checkConfig({ type: 'systemd', name: 'unit', unit: 'x.service' }),
    join(dir, 'no-systemctl'),
  ).run(signal());
  assert.equal(missing.status, 'critical');
  assert.match(missing.summary, /^cannot run .*no-systemctl: .*ENOENT/);
});

test('the binary comes from the context, else VIGIL_SYSTEMCTL, else the PATH', async () => {
  assert.equal(systemctlBinary('/ctx/systemctl', { VIGIL_SYSTEMCTL: '/env/systemctl' }), '/ctx/systemctl');
  assert.equal(systemctlBinary(undefined, { VIGIL_SYSTEMCTL: '/env/systemctl' }), '/env/systemctl');
  assert.equal(systemctlBinary(undefined, {}), 'systemctl');

  writeFileSync(join(dir, 'via-context.service'), 'active\n');
  const config = checkConfig({ type: 'systemd', name: 'unit', unit: 'via-context.service' });
  assert.equal((await createCheck(config, { ...context, systemctl: fake }).run(signal())).status, 'ok');

  const saved = process.env.VIGIL_SYSTEMCTL;
  process.env.VIGIL_SYSTEMCTL = fake;
  try {
    assert.equal((await createCheck(config, context).run(signal())).status, 'ok');
  } finally {
    if (saved === undefined) delete process.env.VIGIL_SYSTEMCTL;
    else process.env.VIGIL_SYSTEMCTL = saved;
  }
});

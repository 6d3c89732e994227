// `vigil config validate` run as an operator runs it: what a valid file will do, and what it
// sets that will not be used — checks that a custom agent never runs, keys the systemd unit ignores.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const VIGIL = fileURLToPath(new URL('../dist/bin/vigil.js', import.meta.url));
const dir = mkdtempSync('/tmp/vg-validate-');
after(() => rmSync(dir, { recursive: true, force: true }));

function validate(yaml: string, env: Record<string, string> = {}) {
  const file = join(dir, `c${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, yaml);
  const result = spawnSync(process.execPath, [VIGIL, 'config', 'validate', file], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', NO_COLOR: '1', VIGIL_HOME: dir, ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const CUSTOM = 'agent:\n  command: ["node", "/srv/my-agent.js"]\n';
const ONE_CHECK = 'agent:\n  checks:\n    - { name: root, type: disk, path: / }\n';

describe('vigil config validate', () => {
  test("with agent.command it says agent.checks is the bundled agent's, instead of listing checks as if they ran", () => {
    const result = validate(CUSTOM);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /agent: node \/srv\/my-agent\.js/);
    assert.match(result.stdout, /agent\.checks applies to the bundled vigil-agent only/);
    assert.doesNotMatch(result.stdout, /^ {2}\d+ checks?:/m);
  });

  test('under systemd agent.command is ignored: a warning names the key and the fix, and the checks run', () => {
    const result = validate(CUSTOM, { VIGIL_MODE: 'systemd' });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /^warning: agent\.command is ignored under systemd/m);
    assert.match(result.stderr, /systemctl edit vigil-agent\.service/);
    assert.match(result.stdout, /agent: the bundled vigil-agent/);
    assert.match(result.stdout, /^ {2}\d+ checks?: /m);
  });

  test('embedded, the same key gets a note (it is honoured here, not under systemd); agent.env too', () => {
    const result = validate(`${CUSTOM}  env: { HTTP_PROXY: "http://proxy:3128" }\n`);
    assert.equal(result.stderr, '');
    assert.match(result.stdout, /note: agent\.command is ignored under systemd/);
    assert.match(
      result.stdout,
      /note: agent\.env is ignored under systemd \(HTTP_PROXY\).*\/etc\/vigil\/agent\.env/,
    );
  });

  test('a file that sets neither says nothing of the kind, and counts are singular for one', () => {
    const result = validate(ONE_CHECK, { VIGIL_MODE: 'systemd' });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, '');
    assert.match(result.stdout, /^ {2}1 check: root$/m);
    assert.doesNotMatch(result.stdout, /note:/);
  });
});

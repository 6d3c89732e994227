import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { assertHomeSafe, findHomeProblems, isVigilError } from '@vigil/shared';

const root = mkdtempSync('/tmp/vg-home-');
after(() => rmSync(root, { recursive: true, force: true }));
const me = process.geteuid?.() ?? 0;

function home(name: string, mode = 0o700): string {
  const dir = join(root, name);
  mkdirSync(dir, { mode });
  chmodSync(dir, mode);
  return dir;
}

describe('home safety (StrictModes)', () => {
  test('a home of ours, writable by nobody else, under root-owned or sticky parents, is safe', () => {
    const h = home('ok');
    mkdirSync(join(h, 'run'), { mode: 0o700 });
    mkdirSync(join(h, 'state'), { mode: 0o750 });
    assert.deepEqual(findHomeProblems(h), []);
    assertHomeSafe([h]);
  });

  test('a home (or a folder under it) of another user is refused, naming the path and the fix', () => {
    const h = home('theirs');
    mkdirSync(join(h, 'run'), { mode: 0o700 });
    // Seen from another uid, every folder here belongs to someone else.
    const other = me + 4242;
    const problems = findHomeProblems(h, other);
    assert.ok(problems.some((p) => p.path === h && /owned by uid/.test(p.problem)));
    assert.ok(problems.some((p) => p.path === join(h, 'run') && /chown/.test(p.fix)));
  });

  test('a group- or world-writable home without the sticky bit is refused', () => {
    const h = home('wide', 0o777);
    const problems = findHomeProblems(h);
    assert.equal(problems.length, 1);
    assert.match(problems[0]?.problem ?? '', /writable by others \(mode 0777\)/);
    assert.match(problems[0]?.fix ?? '', /chmod go-w/);
    const g = home('group', 0o770);
    assert.match(findHomeProblems(g)[0]?.problem ?? '', /writable by group/);
  });

  test('a writable folder under the home is refused', () => {
    const h = home('deep');
    mkdirSync(join(h, 'state'));
    mkdirSync(join(h, 'state', 'reports'));
    chmodSync(join(h, 'state', 'reports'), 0o733);
    const problems = findHomeProblems(h);
    assert.deepEqual(
      problems.map((p) => p.path),
      [join(h, 'state', 'reports')],
    );
  });

  test('a writable parent without the sticky bit is refused; with it (as /tmp) it is fine', () => {
    const parent = home('parent', 0o777);
    mkdirSync(join(parent, 'h'), { mode: 0o700 });
    assert.ok(findHomeProblems(join(parent, 'h')).some((p) => p.path === parent));
    chmodSync(parent, 0o1777);
    assert.deepEqual(findHomeProblems(join(parent, 'h')), []);
  });

  test('a home that is a symlink is refused', () => {
    const real = home('real');
    symlinkSync(real, join(root, 'link'));
    assert.match(findHomeProblems(join(root, 'link'))[0]?.problem ?? '', /symbolic link/);
  });

  test('assertHomeSafe throws VIGIL_HOME_UNSAFE with every problem', () => {
    const h = home('both', 0o777);
    mkdirSync(join(h, 'log'), { mode: 0o700 });
    chmodSync(join(h, 'log'), 0o777);
    assert.throws(
      () => assertHomeSafe([h]),
      (error: unknown) =>
        isVigilError(error, 'VIGIL_HOME_UNSAFE') &&
        error.message.includes(h) &&
        error.message.includes(join(h, 'log')) &&
        /fix: chmod go-w/.test(error.message),
    );
  });
});

// `vigil install` writes units that run the prefix as root: a prefix (or --root target) that
// someone else could change is refused before anything is written. Each case stages a hostile
// folder with real modes and owners and runs the real CLI.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { findUntrustedWriters } from '../../src/systemd/install-path-trust.ts';
import { builtCopyUnder, roots, skeleton, treeHash } from './install-fixtures.ts';

const CLI = fileURLToPath(new URL('../../dist/bin/vigil.js', import.meta.url));
const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;

/** A folder of the test's own: mkdtemp makes it 0700 and ours, inside sticky /tmp. */
function base(): string {
  const dir = mkdtempSync('/tmp/vigil-trust-');
  roots.push(dir);
  return dir;
}

function folder(parent: string, name: string, mode: number, uid?: number): string {
  const dir = join(parent, name);
  mkdirSync(dir);
  chmodSync(dir, mode);
  if (uid !== undefined) chownSync(dir, uid, -1);
  return dir;
}

/** `vigil install --root` into a fresh skeleton: its result, and whether the root was left as it was. */
function install(prefix: string, root = skeleton(), ...extra: string[]) {
  const before = treeHash(root);
  const result = spawnSync(process.execPath, [CLI, 'install', '--root', root, '--prefix', prefix, ...extra], {
    encoding: 'utf8',
  });
  return { ...result, root, untouched: JSON.stringify([...treeHash(root)]) === JSON.stringify([...before]) };
}

function assertRefused(result: ReturnType<typeof install>, path: string, problem: RegExp, fix: string): void {
  const said = `${result.stdout}${result.stderr}`;
  assert.equal(result.status, 1, said);
  assert.match(result.stderr, /^vigil install: VIGIL_INSTALL_PATH_UNSAFE: refusing to install/, said);
  const line = result.stderr.split('\n').find((l) => l.startsWith(`  ${path} (`));
  assert.ok(line, `no line names ${path}:\n${said}`);
  assert.match(line, problem, said);
  assert.ok(said.includes(`fix: ${fix}`), said);
  assert.match(result.stderr, /hint: .*nothing was written/, said);
  assert.ok(result.untouched, `the refused install changed ${result.root}:\n${said}`);
  assert.ok(!existsSync(join(result.root, 'etc/systemd/system/vigil-watchdog.service')));
}

describe('vigil install refuses code that another user could change', () => {
  test('a checkout under a world-writable folder', () => {
    const open = folder(base(), 'open', 0o777);
    const result = install(builtCopyUnder(open));
    assertRefused(
      result,
      open,
      /\(above the prefix\) is writable by others \(mode 0777\)/,
      `chmod go-w ${open}`,
    );
  });

  test('a checkout under a group-writable folder', () => {
    const shared = folder(base(), 'shared', 0o775);
    const result = install(builtCopyUnder(shared));
    assertRefused(
      result,
      shared,
      /\(above the prefix\) is writable by group \(mode 0775\)/,
      `chmod go-w ${shared}`,
    );
  });

  test('a checkout that is itself group-writable', () => {
    const prefix = builtCopyUnder(base());
    chmodSync(prefix, 0o770);
    assertRefused(install(prefix), prefix, /\(the prefix\) is writable by group/, `chmod -R go-w ${prefix}`);
  });

  test('a checkout that is itself sticky and world-writable, as /tmp is', () => {
    const prefix = builtCopyUnder(base());
    chmodSync(prefix, 0o1777);
    assertRefused(
      install(prefix),
      prefix,
      /\(the prefix\) is writable by others \(mode 1777, sticky\)/,
      `chmod -R go-w ${prefix}`,
    );
  });

  test('a checkout under a folder owned by another user', { skip: !asRoot && 'needs root to chown' }, () => {
    const theirs = folder(base(), 'theirs', 0o755, NOBODY);
    const result = install(builtCopyUnder(theirs));
    assertRefused(
      result,
      theirs,
      /\(above the prefix\) is owned by uid 65534( \(nobody\))?, who could change/,
      `chown root ${theirs}`,
    );
  });

  test('a checkout owned by another user', { skip: !asRoot && 'needs root to chown' }, () => {
    const prefix = builtCopyUnder(base());
    chownSync(prefix, NOBODY, -1);
    assertRefused(install(prefix), prefix, /\(the prefix\) is owned by uid 65534/, `chown -R root ${prefix}`);
  });

  test('a link that leads into a world-writable folder is followed', () => {
    const dir = base();
    const real = builtCopyUnder(folder(dir, 'open', 0o777));
    const link = join(dir, 'vigil');
    symlinkSync(real, link);
    assertRefused(
      install(link),
      join(dir, 'open'),
      /\(above the prefix\) is writable by others/,
      `chmod go-w ${join(dir, 'open')}`,
    );
  });

  test('a --root target that others can write', () => {
    const root = skeleton();
    chmodSync(root, 0o777);
    const result = install(builtCopyUnder(base()), root);
    assertRefused(result, root, /\(the --root target\) is writable by others/, `chmod -R go-w ${root}`);
  });

  test('--dry-run says the install would refuse, and changes nothing', () => {
    const open = folder(base(), 'open', 0o777);
    const result = install(builtCopyUnder(open), skeleton(), '--dry-run');
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /warning: refusing to install[\s\S]*\(install would refuse\)/);
    assert.ok(result.untouched);
  });
});

describe('a safe prefix still installs', () => {
  test('a root-owned 0755 checkout in a folder of its own inside sticky /tmp', () => {
    // /tmp is world-writable but sticky, so only the owner of base() can rename it: allowed.
    const prefix = builtCopyUnder(base());
    chmodSync(prefix, 0o755);
    const result = install(prefix);
    assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
    assert.ok(existsSync(join(result.root, 'etc/systemd/system/vigil-watchdog.service')));
    assert.doesNotMatch(result.stdout, /refus/);
  });

  test('the installing user counts as trusted, as root does', () => {
    const prefix = builtCopyUnder(base());
    assert.deepEqual(findUntrustedWriters(prefix, [0, process.getuid?.() ?? 0]), []);
    if (process.getuid?.() !== 0) return;
    // The same folders, with root no longer trusted: /tmp, the base and the prefix are root's.
    const problems = findUntrustedWriters(prefix, [NOBODY]).map((p) => p.path);
    assert.ok(
      problems.includes(prefix) && problems.includes('/tmp') && problems.includes('/'),
      problems.join('\n'),
    );
  });
});

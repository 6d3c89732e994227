import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { describeOsError, isOsError, type OsError } from '../src/os-error.ts';

function errnoError(code: string, syscall: string, path: string, words: string): OsError {
  return Object.assign(new Error(`${code}: ${words}, ${syscall} '${path}'`), {
    code,
    syscall,
    path,
    errno: -1,
  });
}

test('errno errors are told apart from bugs and from vigil errors', () => {
  assert.equal(isOsError(errnoError('EROFS', 'open', '/x', 'read-only file system')), true);
  assert.equal(isOsError(new Error('EACCES: looks like one but is not')), false);
  assert.equal(isOsError(new TypeError('x is undefined')), false);
  assert.equal(isOsError(Object.assign(new Error('x'), { code: 'VIGIL_CONFIG_INVALID' })), false);
  assert.equal(isOsError('EACCES'), false);
});

test('one paragraph: what could not be done, to which path, why, and what to do', () => {
  const cases: [OsError, RegExp][] = [
    [
      errnoError('EROFS', 'open', '/srv/vigil/log/watchdog.log', 'read-only file system'),
      /read-only: point VIGIL_HOME/,
    ],
    [
      errnoError('EACCES', 'mkdir', '/root/vigil/run', 'permission denied'),
      /uid \d+\) may not do that there/,
    ],
    [
      errnoError('ENOSPC', 'write', '/srv/vigil/state/history.jsonl', 'no space left on device'),
      /disk .* is full/,
    ],
    [errnoError('ELOOP', 'open', '/srv/vigil/run/status.json', 'too many symbolic links'), /symbolic link/],
  ];
  for (const [error, remedy] of cases) {
    const text = describeOsError(error, { home: '/srv/vigil' });
    assert.ok(text.includes(error.path ?? '-'), text);
    assert.match(text, /^cannot \S+.*\(E[A-Z]+\)\n {2}hint: /);
    assert.match(text, remedy);
    assert.doesNotMatch(text, /\n\s*\n|^\s+at /m, 'one paragraph, no stack');
  }
});

test('a real one, from the file system', () => {
  const dir = `/tmp/vg-oserr-${process.pid}`;
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}/file`, '');
  try {
    mkdirSync(`${dir}/file/sub`);
    assert.fail('mkdir under a file must fail');
  } catch (error) {
    assert.ok(isOsError(error));
    assert.match(
      describeOsError(error),
      /^cannot create the folder \/tmp\/vg-oserr-\d+\/file\/sub: not a directory \(ENOTDIR\)/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { FdDestination, type WriteFn } from '@vigil/shared';

const root = mkdtempSync('/tmp/vg-fddest-');
after(() => rmSync(root, { recursive: true, force: true }));

const line = (msg: string) => `${JSON.stringify({ level: 30, msg })}\n`;

/** A real non-blocking pipe (a FIFO opened O_NONBLOCK at both ends), as stdout can be. */
function nonBlockingPipe() {
  const path = join(root, `fifo-${Math.random().toString(16).slice(2)}`);
  execFileSync('mkfifo', [path]);
  const reader = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const writer = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
  after(() => {
    closeSync(reader);
    closeSync(writer);
  });
  const fill = () => {
    const chunk = Buffer.alloc(4096, 0x2e);
    for (;;) {
      try {
        writeSync(writer, chunk);
      } catch (error) {
        assert.equal((error as NodeJS.ErrnoException).code, 'EAGAIN');
        return;
      }
    }
  };
  const drain = () => {
    const buffer = Buffer.alloc(1 << 16);
    let text = '';
    for (;;) {
      try {
        const n = readSync(reader, buffer, 0, buffer.length, null);
        if (n <= 0) return text;
        text += buffer.subarray(0, n).toString('utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EAGAIN') return text;
        throw error;
      }
    }
  };
  return { writer, fill, drain };
}

describe('FdDestination', () => {
  test('on /dev/full (ENOSPC) nothing is thrown and every line is counted', () => {
    const fd = openSync('/dev/full', 'w');
    after(() => closeSync(fd));
    const dest = new FdDestination(fd);
    for (let i = 0; i < 3; i++) assert.doesNotThrow(() => dest.write(line(`x${i}`)));
    assert.equal(dest.lostLines, 3);
  });

  test('EAGAIN on a full non-blocking pipe drops the line without blocking; the next one reports the loss', () => {
    const pipe = nonBlockingPipe();
    const dest = new FdDestination(pipe.writer, { base: { component: 'agent' } });
    pipe.fill();
    dest.write(line('dropped 1'));
    dest.write(line('dropped 2'));
    assert.equal(dest.lostLines, 2);
    pipe.drain();
    dest.write(line('after'));
    const lines = pipe
      .drain()
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(lines[0]?.lostLines, 2);
    assert.equal(lines[0]?.reason, 'EAGAIN');
    assert.equal(lines[0]?.component, 'agent');
    assert.equal(lines[1]?.msg, 'after');
  });

  test('after a short write (a torn line it cannot cut back) the next line starts on a line of its own', () => {
    const fd = openSync(join(root, 'shared.log'), 'a+');
    after(() => closeSync(fd));
    let mode: 'short' | 'fail' | 'ok' = 'short';
    const write: WriteFn = (target, buffer, offset, length) => {
      if (mode === 'fail') throw Object.assign(new Error('EIO'), { code: 'EIO' });
      if (mode === 'short') {
        mode = 'fail';
        return writeSync(target, buffer, offset, 5);
      }
      return writeSync(target, buffer, offset, length);
    };
    const dest = new FdDestination(fd, { write });
    dest.write(line('torn'));
    mode = 'ok';
    dest.write(line('whole'));
    const buffer = Buffer.alloc(4096);
    const text = buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, 0)).toString('utf8');
    const [torn, notice, whole] = text.split('\n');
    assert.equal(torn, '{"lev');
    assert.equal(JSON.parse(notice as string).lostLines, 1);
    assert.equal(JSON.parse(whole as string).msg, 'whole');
  });
});

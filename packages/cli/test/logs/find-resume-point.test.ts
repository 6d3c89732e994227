import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { offsetAfterLast } from '../../src/logs/find-resume-point.ts';

const dir = mkdtempSync('/tmp/vg-resume-');
after(() => rmSync(dir, { recursive: true, force: true }));

test('the offset after the last occurrence, also when it spans chunks; null when absent', async () => {
  const path = join(dir, 'copy');
  const text = 'abcXYZdefXYZghi';
  writeFileSync(path, text);
  const handle = await open(path, 'r');
  try {
    for (const chunk of [1, 2, 3, 4, 5, 64]) {
      assert.equal(
        await offsetAfterLast(handle, text.length, Buffer.from('XYZ'), chunk),
        12,
        `chunk ${chunk}`,
      );
      assert.equal(
        await offsetAfterLast(handle, text.length, Buffer.from('abc'), chunk),
        3,
        `chunk ${chunk}`,
      );
      assert.equal(
        await offsetAfterLast(handle, text.length, Buffer.from('ghi'), chunk),
        15,
        `chunk ${chunk}`,
      );
      assert.equal(await offsetAfterLast(handle, text.length, Buffer.from('nope'), chunk), null);
    }
    assert.equal(await offsetAfterLast(handle, text.length, Buffer.alloc(0)), null);
  } finally {
    await handle.close();
  }
});

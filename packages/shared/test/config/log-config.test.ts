import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isVigilError } from '@vigil/shared';
import { defaultConfig, parseConfig } from '@vigil/shared/config';

function problems(text: string): string[] {
  try {
    parseConfig(text, 'vigil.yaml');
  } catch (error) {
    assert.ok(isVigilError(error), String(error));
    return (error.detail?.errors as string[]) ?? [];
  }
  assert.fail('should not validate');
}

describe('the log section', () => {
  test('defaults to 10 MiB files, 5 kept, 20 lines of the agent log in alerts', () => {
    assert.deepEqual(defaultConfig().log, { maxBytes: 10 * 1024 * 1024, keep: 5, tailLines: 20 });
  });

  test('given keys override, the rest default', () => {
    const config = parseConfig('log:\n  maxBytes: 65536\n', 'vigil.yaml');
    assert.deepEqual(config.log, { maxBytes: 65_536, keep: 5, tailLines: 20 });
    assert.ok(problems('log: { tailLines: 201 }\n').some((p) => p.startsWith('log.tailLines:')));
  });

  test('a size below 4 KiB, a keep of 0, a string that is no size and an unknown key are refused with their path', () => {
    const found = problems('log:\n  maxBytes: 100\n  keep: 0\n');
    assert.ok(
      found.some((p) => p.startsWith('log.maxBytes:')),
      found.join('\n'),
    );
    assert.ok(
      found.some((p) => p.startsWith('log.keep:')),
      found.join('\n'),
    );
    assert.ok(problems('log: { maxBytes: "ten megs" }\n').some((p) => p.startsWith('log.maxBytes:')));
    // A size with a unit is a size.
    assert.equal(parseConfig('log: { maxBytes: 10M }\n', 'vigil.yaml').log.maxBytes, 10 * 1024 * 1024);
    assert.ok(problems('log: { rotate: true }\n').some((p) => p.includes('rotate')));
  });
});

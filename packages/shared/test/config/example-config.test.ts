import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadConfigFile } from '@vigil/shared';

test('the annotated example in docs/ is a valid config that exercises every check type', () => {
  const path = fileURLToPath(new URL('../../../../docs/vigil.example.yaml', import.meta.url));
  const { config } = loadConfigFile(path);
  const types = new Set(config.agent.checks.map((c) => c.type));
  assert.deepEqual([...types].sort(), [
    'command',
    'disk',
    'file',
    'http',
    'load',
    'memory',
    'process',
    'systemd',
    'tcp',
  ]);
  assert.equal(config.watchdog.resources.memory.maxRssBytes, 150 * 1024 * 1024);
  assert.deepEqual(config.log, { maxBytes: 10 * 1024 * 1024, keep: 5 });
});

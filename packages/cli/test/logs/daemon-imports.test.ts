// `vigil run` is the daemon: what it loads must stay small, so the logs feature (and pino-pretty)
// is reached only through main.ts's dynamic import of commands/logs.js.
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { staticImportGraph } from '@vigil/shared/testing';

const DIST = fileURLToPath(new URL('../../dist/', import.meta.url));

test('vigil run never loads the logs modules or pino-pretty', () => {
  const { files, packages } = staticImportGraph([resolve(DIST, 'main.js'), resolve(DIST, 'commands/run.js')]);
  assert.ok(files.size > 10, `walked ${files.size} files`);
  assert.deepEqual(
    [...files].filter((file) => file.includes('/dist/logs/') || file.endsWith('commands/logs.js')),
    [],
  );
  assert.ok(
    !packages.has('pino-pretty'),
    `pino-pretty is imported statically by ${packages.get('pino-pretty')}`,
  );
  // The walk does reach the logs modules from the logs command, so the filter above would notice.
  const logs = staticImportGraph([resolve(DIST, 'commands/logs.js')]);
  assert.ok(
    [...logs.files].some((file) => file.includes('/dist/logs/')),
    `walked ${[...logs.files].join(', ')}`,
  );
  // (Even `vigil logs` imports pino-pretty only for its human view: read-commands-imports.test.ts.)
});

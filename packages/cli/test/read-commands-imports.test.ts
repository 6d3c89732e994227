// The commands an operator runs to look (status, history, logs, why) answer in tens of
// milliseconds because each loads only what it reads with: never the whole of @vigil/shared
// (its logger, retry, HTTP and every validator), pino, p-retry, execa, yaml or pino-pretty.
// What one case alone needs (the journal under systemd, pino-pretty for logs' human view)
// is a dynamic import() there, which this static walk does not follow.
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { staticImportGraph } from '@vigil/shared/testing';

const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
const HEAVY = ['pino', 'p-retry', 'execa', 'yaml', 'pino-pretty'];

for (const command of ['status', 'history', 'logs', 'why']) {
  test(`vigil ${command} loads no heavy package and not the whole of @vigil/shared`, () => {
    const { files, packages } = staticImportGraph([
      resolve(DIST, 'bin/vigil.js'),
      resolve(DIST, 'main.js'),
      resolve(DIST, `commands/${command}.js`),
    ]);
    assert.ok(
      packages.has('@vigil/shared'),
      `the walk reaches @vigil/shared: ${[...packages.keys()].join(', ')}`,
    );
    const index = [...files].filter((file) => file.endsWith('/shared/dist/index.js'));
    assert.deepEqual(index, [], `vigil ${command} imports the package index`);
    for (const name of HEAVY) {
      assert.ok(
        !packages.has(name),
        `vigil ${command}: ${name} is imported statically by ${packages.get(name)}`,
      );
    }
  });
}

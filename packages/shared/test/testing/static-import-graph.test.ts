import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { resolvePackageImport, staticImportGraph } from '@vigil/shared/testing';

const root = realpathSync(mkdtempSync(join(tmpdir(), 'vg-import-graph-')));
after(() => rmSync(root, { recursive: true, force: true }));

function write(path: string, text: string): string {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
  return join(root, path);
}

// A workspace package linked into node_modules (as pnpm does) and a third-party one inside it.
write(
  'lib/package.json',
  JSON.stringify({
    name: '@ws/lib',
    exports: {
      '.': { types: './dist/index.d.ts', import: './dist/index.js' },
      './sub': { require: './dist/sub.cjs', default: './dist/sub.js' },
      './feature/*': './dist/feature/*.js',
      './feature/special/*': './dist/special/*.js',
    },
  }),
);
write('lib/dist/index.js', 'export const lib = 1;\n');
write('lib/dist/sub.js', "import { lib } from './index.js';\nexport const sub = lib;\n");
write('lib/dist/feature/b.js', "import 'inner';\nexport const b = 2;\n");
write('lib/node_modules/inner/package.json', JSON.stringify({ name: 'inner', exports: './main.js' }));
write('lib/node_modules/inner/main.js', "import 'deep';\n");
write('lib/dist/special/c.js', 'export const c = 3;\n');
mkdirSync(join(root, 'app/node_modules/@ws'), { recursive: true });
symlinkSync('../../../lib', join(root, 'app/node_modules/@ws/lib'));
write('app/node_modules/leaf/package.json', JSON.stringify({ name: 'leaf', main: 'main.js' }));
write('app/node_modules/leaf/main.js', "import 'deep';\n");
const entry = write(
  'app/entry.js',
  [
    "import { a } from './a.js';",
    "export * from '@ws/lib';",
    "import '@ws/lib/sub';",
    "import { readFileSync } from 'node:fs';",
    "import leaf from 'leaf';",
    "const later = () => import('./lazy.js');",
  ].join('\n'),
);
write(
  'app/a.js',
  "import {\n  b,\n} from '@ws/lib/feature/b';\nexport { c } from '@ws/lib/feature/special/c';\n",
);
write('app/lazy.js', "import 'never';\n");

test('resolves package imports through exports, conditions and patterns, to the real path', () => {
  assert.equal(resolvePackageImport('@ws/lib', entry), join(root, 'lib/dist/index.js'));
  assert.equal(resolvePackageImport('@ws/lib/sub', entry), join(root, 'lib/dist/sub.js'));
  assert.equal(resolvePackageImport('@ws/lib/feature/b', entry), join(root, 'lib/dist/feature/b.js'));
  assert.equal(resolvePackageImport('@ws/lib/feature/special/c', entry), join(root, 'lib/dist/special/c.js'));
  assert.equal(resolvePackageImport('leaf', entry), join(root, 'app/node_modules/leaf/main.js'));
  assert.throws(() => resolvePackageImport('@ws/lib/dist/index.js', entry), /exports no \.\/dist\/index\.js/);
  assert.throws(() => resolvePackageImport('missing', entry), /cannot find package missing/);
});

test('walks relative and workspace imports; third-party packages are leaves; dynamic imports are not walked', () => {
  const { files, packages } = staticImportGraph([entry]);
  assert.deepEqual([...files].map((file) => file.slice(root.length + 1)).sort(), [
    'app/a.js',
    'app/entry.js',
    'lib/dist/feature/b.js',
    'lib/dist/index.js',
    'lib/dist/special/c.js',
    'lib/dist/sub.js',
  ]);
  assert.deepEqual([...packages.keys()].sort(), ['@ws/lib', 'inner', 'leaf']);
  assert.equal(packages.get('inner'), join(root, 'lib/dist/feature/b.js'));
  assert.equal(packages.get('leaf'), entry);
});

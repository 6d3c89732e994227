// Loaded with `node --import <this file>?out=FILE`: appends the URL of every module the process
// loads to FILE — ES modules as the resolve hook sees them, CommonJS ones from the require cache
// at exit (node 20's hooks do not see require()).
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';

const out = new URL(import.meta.url).searchParams.get('out');
if (out) {
  register('./record-resolve.mjs', import.meta.url, { data: { out } });
  const cache = createRequire(import.meta.url).cache;
  process.on('exit', () => {
    appendFileSync(
      out,
      Object.keys(cache)
        .map((path) => `${pathToFileURL(path).href}\n`)
        .join(''),
    );
  });
}

// No log record may carry a field that pino (or vigil's logger) writes itself: a `level` field
// overwrote pino's numeric level ("operator asked for recovery" logged as level "hard"), and a
// `pid` field made a second "pid" key that parsers attribute to the wrong process. This reads
// every logger call in the sources with the TypeScript compiler and checks the object literal.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { ROOT } from './support/pair.ts';

/** pino's own keys, plus what vigil's logger adds to every record. */
const RESERVED = new Set(['level', 'levelName', 'time', 'pid', 'hostname', 'msg', 'component', 'v']);
const METHODS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sources(path, out);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

function keysOf(node: ts.ObjectLiteralExpression): string[] {
  const keys: string[] = [];
  for (const p of node.properties) {
    if ((ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p)) && p.name) {
      const name = p.name;
      if (ts.isIdentifier(name) || ts.isStringLiteral(name)) keys.push(name.text);
    }
  }
  return keys;
}

test('no log call uses a reserved record key', () => {
  const files = readdirSync(join(ROOT, 'packages')).flatMap((pkg) =>
    sources(join(ROOT, 'packages', pkg, 'src')),
  );
  assert.ok(files.length > 50, `found ${files.length} source files`);
  const offences: string[] = [];
  let calls = 0;
  for (const file of files) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node) => {
      // logger.warn({...}, 'msg') and logger[level]({...}, 'msg')
      const callee = ts.isCallExpression(node) ? node.expression : undefined;
      const isLogCall =
        callee !== undefined &&
        ((ts.isPropertyAccessExpression(callee) && METHODS.has(callee.name.text)) ||
          (ts.isElementAccessExpression(callee) && /log/i.test(callee.expression.getText())));
      if (isLogCall && ts.isCallExpression(node) && node.arguments.length >= 2) {
        const first = node.arguments[0];
        if (first && ts.isObjectLiteralExpression(first)) {
          calls++;
          for (const key of keysOf(first)) {
            if (RESERVED.has(key)) {
              const { line } = source.getLineAndCharacterOfPosition(node.getStart());
              offences.push(`${relative(ROOT, file)}:${line + 1}: field "${key}"`);
            }
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  assert.ok(calls > 80, `checked ${calls} log calls`);
  assert.deepEqual(offences, []);
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { escapeJsonText, printable, printableDeep, terminalJson } from '../../src/text/terminal-text.ts';

/** Every UTF-16 unit a terminal may act on: C0, DEL, C1 and both halves of a surrogate pair. */
function isUnsafeUnit(code: number, newlines: boolean): boolean {
  if (newlines && code === 0x0a) return false;
  return code <= 0x1f || (code >= 0x7f && code <= 0x9f) || (code >= 0xd800 && code <= 0xdfff);
}

function assertClean(text: string, newlines = false): void {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      assert.ok(next >= 0xdc00 && next <= 0xdfff, `lone high surrogate at ${i}`);
      i++;
      continue;
    }
    assert.ok(
      !isUnsafeUnit(code, newlines),
      `unit 0x${code.toString(16)} at ${i} of ${JSON.stringify(text)}`,
    );
  }
}

describe('printable', () => {
  test('every C0 character, DEL and every C1 character is written out, none kept', () => {
    for (const newlines of [false, true]) {
      for (let code = 0; code <= 0x9f; code++) {
        if (code >= 0x20 && code < 0x7f) continue;
        const input = `a${String.fromCharCode(code)}b`;
        const output = printable(input, { newlines });
        if (newlines && code === 0x0a) {
          assert.equal(output, input, 'newline kept where the view allows it');
          continue;
        }
        assertClean(output, newlines);
        assert.notEqual(output, input, `0x${code.toString(16)} is changed`);
        assert.ok(output.startsWith('a\\') && output.endsWith('b'), output);
      }
    }
  });

  test('visible forms: \\x1b for ESC, \\u009b for CSI, \\n when newlines are not allowed', () => {
    assert.equal(printable('\u001b]0;pwned\u0007'), '\\x1b]0;pwned\\x07');
    assert.equal(printable('\u001b[2J'), '\\x1b[2J');
    assert.equal(printable('\u009b2J'), '\\u009b2J');
    assert.equal(printable('\u007f'), '\\x7f');
    assert.equal(printable('one\ntwo\r\tthree'), 'one\\ntwo\\r\\tthree');
    assert.equal(printable('one\ntwo\r', { newlines: true }), 'one\ntwo\\r');
  });

  test('lone surrogates are written out; pairs and other text are left alone', () => {
    assert.equal(printable('x\ud800y'), 'x\\ud800y');
    assert.equal(printable('x\udfffy'), 'x\\udfffy');
    assert.equal(printable('\udc00\ud83d'), '\\udc00\\ud83d');
    for (const text of ['plain ascii', 'é → ✓ 日本', '😀 pair', 'tab-free \\x1b already escaped', '']) {
      assert.equal(printable(text), text);
    }
    assertClean(printable('\ud83d\ude00\ud83d'));
  });

  test('idempotent: printing what was printed changes nothing', () => {
    const once = printable('\u001b[31mred\u001b[0m\u0085\ud800');
    assert.equal(printable(once), once);
  });
});

describe('printableDeep', () => {
  test('every string in an object, arrays and keys included, without touching other values', () => {
    const input = {
      summary: '\u001b]0;x\u0007',
      n: 3,
      ok: true,
      none: null,
      list: ['a', '\u009b1m', { '\u001bkey': '\u001b[2J' }],
    };
    const output = printableDeep(input);
    assert.deepEqual(output, {
      summary: '\\x1b]0;x\\x07',
      n: 3,
      ok: true,
      none: null,
      list: ['a', '\\u009b1m', { '\\x1bkey': '\\x1b[2J' }],
    });
    assert.equal(input.summary, '\u001b]0;x\u0007', 'the input is not changed');
  });

  test('a value nested without bound is cut short, not recursed into', () => {
    let deepValue: unknown = '\u001b';
    for (let i = 0; i < 10_000; i++) deepValue = [deepValue];
    const out = JSON.stringify(printableDeep(deepValue));
    assert.ok(out.includes('nested too deep'));
    assertClean(out);
  });
});

describe('terminalJson', () => {
  test('the same JSON, with DEL and C1 escaped as well as C0', () => {
    const value = { s: '\u001b[2J \u007f \u0085 \u009b x', n: 1 };
    const text = terminalJson(value, 2);
    assertClean(text, true);
    assert.deepEqual(JSON.parse(text), value);
    assert.equal(escapeJsonText('{"m":"\u009b"}'), '{"m":"\\u009b"}');
    assert.deepEqual(JSON.parse(escapeJsonText('{"m":"\u009b"}')), { m: '\u009b' });
  });
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NdjsonDecoder } from '@vigil/shared';

const lines = (outcomes: ReturnType<NdjsonDecoder['push']>) =>
  outcomes.map((o) => (o.kind === 'line' ? o.text : `<${o.kind}>`));

describe('NdjsonDecoder', () => {
  test('many frames in one chunk', () => {
    const d = new NdjsonDecoder();
    assert.deepEqual(lines(d.push(Buffer.from('{"a":1}\n{"b":2}\n{"c":3}\n'))), [
      '{"a":1}',
      '{"b":2}',
      '{"c":3}',
    ]);
    assert.equal(d.bufferedBytes, 0);
  });

  test('a frame split over chunks', () => {
    const d = new NdjsonDecoder();
    assert.deepEqual(lines(d.push(Buffer.from('{"type":"he'))), []);
    assert.deepEqual(lines(d.push(Buffer.from('artbeat","seq'))), []);
    assert.deepEqual(lines(d.push(Buffer.from('":1}\n{"x"'))), ['{"type":"heartbeat","seq":1}']);
    assert.equal(d.bufferedBytes, 4);
    assert.deepEqual(lines(d.push(Buffer.from(':2}\n'))), ['{"x":2}']);
  });

  test('a multi-byte UTF-8 character split over chunks', () => {
    const d = new NdjsonDecoder();
    const bytes = Buffer.from('{"msg":"naïve ☃ 𝄞"}\n');
    const snowman = bytes.indexOf(Buffer.from('☃'));
    const clef = bytes.indexOf(Buffer.from('𝄞'));
    const parts = [
      bytes.subarray(0, snowman + 1),
      bytes.subarray(snowman + 1, clef + 2),
      bytes.subarray(clef + 2),
    ];
    const out = parts.flatMap((p) => lines(d.push(p)));
    assert.deepEqual(out, ['{"msg":"naïve ☃ 𝄞"}']);
  });

  test('one byte at a time', () => {
    const d = new NdjsonDecoder();
    const bytes = Buffer.from('{"a":"é"}\n{"b":1}\n');
    const out: string[] = [];
    for (const byte of bytes) out.push(...lines(d.push(Uint8Array.of(byte))));
    assert.deepEqual(out, ['{"a":"é"}', '{"b":1}']);
  });

  test('CRLF endings and blank lines are tolerated', () => {
    const d = new NdjsonDecoder();
    assert.deepEqual(lines(d.push(Buffer.from('{"a":1}\r\n\n  \n{"b":2}\n'))), ['{"a":1}', '{"b":2}']);
  });

  test('a line of exactly the cap is accepted', () => {
    const d = new NdjsonDecoder(16);
    const line = `"${'x'.repeat(14)}"`;
    assert.equal(line.length, 16);
    assert.deepEqual(lines(d.push(Buffer.from(`${line}\n`))), [line]);
  });

  test('a line over the cap in one chunk is too-large', () => {
    const d = new NdjsonDecoder(16);
    const out = d.push(Buffer.from(`"${'x'.repeat(20)}"\n{"ok":1}\n`));
    assert.equal(out.length, 1);
    assert.equal(out[0]?.kind, 'too-large');
  });

  test('an unterminated line is never buffered past the cap', () => {
    const d = new NdjsonDecoder(1024);
    let outcome: ReturnType<NdjsonDecoder['push']> = [];
    for (let i = 0; i < 100 && outcome.length === 0; i++) {
      outcome = d.push(Buffer.alloc(100, 0x61));
      assert.ok(d.bufferedBytes <= 1024);
    }
    assert.equal(outcome[0]?.kind, 'too-large');
    assert.equal(d.bufferedBytes, 0);
    // Spent: nothing more comes out after the failure.
    assert.deepEqual(d.push(Buffer.from('{"a":1}\n')), []);
  });

  test('frames before an oversize one are still delivered', () => {
    const d = new NdjsonDecoder(8);
    assert.deepEqual(lines(d.push(Buffer.from('{"a":1}\n{"b":"toolong"}\n'))), ['{"a":1}', '<too-large>']);
  });

  test('invalid UTF-8 is reported, not decoded into replacement characters', () => {
    const d = new NdjsonDecoder();
    assert.deepEqual(lines(d.push(Uint8Array.of(0x7b, 0xff, 0xfe, 0x7d, 0x0a))), ['<bad-utf8>']);
  });
});

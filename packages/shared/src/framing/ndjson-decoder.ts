/**
 * Splits a byte stream into newline-delimited frames. Works on bytes, not strings, so a
 * multi-byte UTF-8 character split across chunks is joined before it is decoded; never holds
 * more than `maxBytes` of an unfinished line.
 */
import { MAX_FRAME_BYTES } from '../protocol/constants.js';

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

export type DecodeOutcome =
  | { kind: 'line'; text: string }
  | { kind: 'too-large'; bytes: number }
  | { kind: 'bad-utf8' };

export class NdjsonDecoder {
  readonly maxBytes: number;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #failed = false;
  readonly #utf8 = new TextDecoder('utf-8', { fatal: true });

  constructor(maxBytes = MAX_FRAME_BYTES) {
    this.maxBytes = maxBytes;
  }

  /** Bytes of the unfinished line held right now (never above maxBytes). */
  get bufferedBytes(): number {
    return this.#pendingBytes;
  }

  /**
   * Feeds one chunk; returns the complete frames in it. After a `too-large` outcome the decoder
   * is spent: the caller closes the connection, and further chunks are ignored.
   */
  push(chunk: Uint8Array): DecodeOutcome[] {
    const out: DecodeOutcome[] = [];
    if (this.#failed) return out;
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(NEWLINE, start);
      if (nl === -1) break;
      const lineBytes = this.#pendingBytes + (nl - start);
      if (lineBytes > this.maxBytes) return this.#fail(out, lineBytes);
      const line = this.#take(chunk.subarray(start, nl));
      start = nl + 1;
      const outcome = this.#decode(line);
      if (outcome) out.push(outcome);
    }
    const rest = chunk.length - start;
    if (rest > 0) {
      if (this.#pendingBytes + rest > this.maxBytes) return this.#fail(out, this.#pendingBytes + rest);
      // Copy: the caller may reuse the chunk's memory.
      this.#pending.push(Buffer.from(chunk.subarray(start)));
      this.#pendingBytes += rest;
    }
    return out;
  }

  #take(tail: Uint8Array): Uint8Array {
    if (this.#pending.length === 0) return tail;
    const whole = Buffer.concat([...this.#pending, tail]);
    this.#pending = [];
    this.#pendingBytes = 0;
    return whole;
  }

  #decode(bytes: Uint8Array): DecodeOutcome | undefined {
    let end = bytes.length;
    if (end > 0 && bytes[end - 1] === CARRIAGE_RETURN) end--;
    if (end === 0) return undefined;
    try {
      const text = this.#utf8.decode(bytes.subarray(0, end));
      return text.trim() === '' ? undefined : { kind: 'line', text };
    } catch {
      return { kind: 'bad-utf8' };
    }
  }

  #fail(out: DecodeOutcome[], bytes: number): DecodeOutcome[] {
    this.#failed = true;
    this.#pending = [];
    this.#pendingBytes = 0;
    out.push({ kind: 'too-large', bytes });
    return out;
  }
}

/**
 * A file's lines from the end towards the start, read in chunks: the last lines of a 1 GiB log
 * cost a few reads, not the whole file. Lines are split as bytes and decoded whole, so a
 * multi-byte character across a chunk boundary stays intact.
 */
import type { FileHandle } from 'node:fs/promises';

const NEWLINE = 0x0a;
export const CHUNK_BYTES = 64 * 1024;

/** Lines of `[0, end)`, last first, without their newlines; a final line need not end in one. */
export async function* readLinesBackward(
  handle: FileHandle,
  end: number,
  chunkBytes = CHUNK_BYTES,
): AsyncGenerator<string> {
  let position = end;
  // The start of the line that continues into the chunk read before (a later part of the file).
  let carry: Buffer = Buffer.alloc(0);
  let skipFinalNewline = true;
  while (position > 0) {
    const size = Math.min(chunkBytes, position);
    position -= size;
    const chunk = Buffer.alloc(size);
    const { bytesRead } = await handle.read(chunk, 0, size, position);
    let buffer = Buffer.concat([chunk.subarray(0, bytesRead), carry]);
    if (skipFinalNewline) {
      skipFinalNewline = false;
      if (buffer.at(-1) === NEWLINE) buffer = buffer.subarray(0, -1);
    }
    let lineEnd = buffer.length;
    // lastIndexOf with a negative offset would count from the end again: stop at 0.
    let at = lineEnd > 0 ? buffer.lastIndexOf(NEWLINE, lineEnd - 1) : -1;
    while (at >= 0) {
      yield buffer.toString('utf8', at + 1, lineEnd);
      lineEnd = at;
      at = lineEnd > 0 ? buffer.lastIndexOf(NEWLINE, lineEnd - 1) : -1;
    }
    carry = Buffer.from(buffer.subarray(0, lineEnd));
  }
  if (carry.length > 0 || !skipFinalNewline) yield carry.toString('utf8');
}

/** The offset just past the last newline before `size`: where complete lines end. */
export async function completeLinesEnd(
  handle: FileHandle,
  size: number,
  chunkBytes = CHUNK_BYTES,
): Promise<number> {
  let position = size;
  const chunk = Buffer.alloc(chunkBytes);
  while (position > 0) {
    const length = Math.min(chunkBytes, position);
    position -= length;
    const { bytesRead } = await handle.read(chunk, 0, length, position);
    const at = chunk.subarray(0, bytesRead).lastIndexOf(NEWLINE);
    if (at >= 0) return position + at + 1;
  }
  return 0;
}

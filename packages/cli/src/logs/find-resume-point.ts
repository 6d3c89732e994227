/**
 * Where to pick up in a rotated copy: after a copytruncate, the lines a follower had not read
 * yet are in `agent.log.1`, after the last bytes it did read. The copy may start later than
 * the original (older output left out), so offsets differ: the bytes themselves are searched
 * for, from the end backwards (the follower was near the end), in chunks.
 */
import type { FileHandle } from 'node:fs/promises';

const CHUNK_BYTES = 64 * 1024;

/** The offset just after the last occurrence of `needle` in `[0, size)`, or null. */
export async function offsetAfterLast(
  handle: FileHandle,
  size: number,
  needle: Buffer,
  chunkBytes = CHUNK_BYTES,
): Promise<number | null> {
  if (needle.length === 0 || needle.length > size) return null;
  const step = Math.max(chunkBytes, needle.length);
  const buffer = Buffer.alloc(step + needle.length - 1);
  let end = size;
  while (end > 0) {
    // Each window overlaps the one after it by needle.length - 1 bytes, so no match is split.
    const start = Math.max(0, end - step);
    const length = Math.min(size, end + needle.length - 1) - start;
    const { bytesRead } = await handle.read(buffer, 0, length, start);
    const at = buffer.subarray(0, bytesRead).lastIndexOf(needle);
    if (at >= 0) return start + at + needle.length;
    end = start;
  }
  return null;
}

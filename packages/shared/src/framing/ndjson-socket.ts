/**
 * NDJSON over a net.Socket: one JSON value per line in, one per line out. Oversize lines and
 * bytes that are not JSON are framing errors: reported as a typed VigilError, and the socket is
 * destroyed, so a misbehaving peer costs at most one frame of memory.
 */
import { readFileSync, readSync } from 'node:fs';
import type { Socket } from 'node:net';
import { sharedErrors, type VigilError } from '../errors.js';
import { MAX_FRAME_BYTES } from '../protocol/constants.js';
import { NdjsonDecoder } from './ndjson-decoder.js';

export interface NdjsonSocketOptions {
  maxFrameBytes?: number;
  /** Output queued for a peer that does not read; past it the peer is dropped. */
  maxQueuedBytes?: number;
  onMessage(value: unknown): void;
  /** Called once, just before the socket is destroyed for a framing error. */
  onFrameError?(error: VigilError): void;
}

export interface NdjsonSocket {
  readonly socket: Socket;
  /** Sends one value; returns false (and drops the peer) when it is not reading. */
  send(value: unknown): boolean;
  close(): void;
  /**
   * Stops reading at the event loop's level, not just the stream's: bytes the peer sends wait in
   * the kernel's socket buffer and wake nothing until `wake`. (A paused net.Socket still reads
   * until its stream buffer is full, so each line would still wake the process.) While resting,
   * the peer closing goes unseen until `wake`, too.
   */
  rest(): void;
  /** Reads again: what queued arrives in the loop's next poll, before its setImmediate callbacks. */
  wake(): void;
  /**
   * While resting: reads what has queued in the kernel now, synchronously, and handles it before
   * returning (a peer that closed is seen closing). The socket keeps resting, so the event loop
   * never watches it again — waking it to read would cost a second wakeup: libuv takes a stopped
   * descriptor out of epoll only when it next fires. Reads at most `maxBytes` a call. A socket
   * that is not resting, or whose descriptor is not known to be non-blocking, is woken instead:
   * what queued then comes out in the loop's next tick or poll, before its setImmediate callbacks.
   * True when everything that had queued was read and handled before it returned (the socket
   * is still open): the caller needs no turn of the loop to know it is up to date.
   */
  drain(maxBytes?: number): boolean;
}

/**
 * The libuv handle under a net.Socket: the stream's own pause() never stops its reads, this does.
 * Undocumented but stable since Node 0.x (net.Socket's pause/resume use it for sockets made with
 * `onread`); where it is missing, resting degrades to pause(), which costs a wakeup per line.
 */
interface ReadHandle {
  reading: boolean;
  readStart(): number;
  readStop(): number;
  readonly fd?: number;
}

/** O_NONBLOCK in the `flags` (octal) of /proc/self/fdinfo: a read of the descriptor never waits. */
const O_NONBLOCK = 0o4000;

/**
 * Whether a read of `fd` returns at once when nothing is queued. libuv makes every stream's
 * descriptor non-blocking; this checks it rather than trusting it, since a blocking read of a
 * peer's socket would stall the loop on that peer.
 */
function nonBlocking(fd: number): boolean {
  try {
    const flags = /^flags:\s+([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'latin1'));
    return flags !== null && (Number.parseInt(flags[1] as string, 8) & O_NONBLOCK) !== 0;
  } catch {
    return false;
  }
}

/** One buffer for every synchronous drain: the decoder copies what it keeps of a chunk. */
const drainBuffer = Buffer.allocUnsafe(64 * 1024);

function readHandle(socket: Socket): ReadHandle | undefined {
  const handle = (socket as unknown as { _handle?: Partial<ReadHandle> | null })._handle;
  return handle && typeof handle.readStart === 'function' && typeof handle.readStop === 'function'
    ? (handle as ReadHandle)
    : undefined;
}

export function attachNdjson(socket: Socket, options: NdjsonSocketOptions): NdjsonSocket {
  const maxFrameBytes = options.maxFrameBytes ?? MAX_FRAME_BYTES;
  const maxQueuedBytes = options.maxQueuedBytes ?? 1024 * 1024;
  const decoder = new NdjsonDecoder(maxFrameBytes);
  /** Whether the descriptor reads without waiting (checked once, at the first drain). */
  let syncReadable: boolean | undefined;

  const fail = (error: VigilError) => {
    if (socket.destroyed) return;
    options.onFrameError?.(error);
    socket.destroy();
  };

  const receive = (chunk: Uint8Array) => {
    for (const outcome of decoder.push(chunk)) {
      if (socket.destroyed) return;
      if (outcome.kind === 'too-large') {
        return fail(
          sharedErrors.create(
            'VIGIL_FRAME_TOO_LARGE',
            `frame of at least ${outcome.bytes} bytes exceeds the ${maxFrameBytes}-byte limit`,
            { detail: { bytes: outcome.bytes, limit: maxFrameBytes } },
          ),
        );
      }
      if (outcome.kind === 'bad-utf8') {
        return fail(sharedErrors.create('VIGIL_FRAME_INVALID_JSON', 'frame is not valid UTF-8'));
      }
      let value: unknown;
      try {
        value = JSON.parse(outcome.text);
      } catch (cause) {
        const preview = outcome.text.length > 80 ? `${outcome.text.slice(0, 77)}...` : outcome.text;
        return fail(
          sharedErrors.create('VIGIL_FRAME_INVALID_JSON', `frame is not JSON: ${JSON.stringify(preview)}`, {
            cause,
          }),
        );
      }
      try {
        options.onMessage(value);
      } catch (cause) {
        // Whatever a peer's frame makes the handler throw costs that peer its connection, never
        // the process: nothing a socket receives may reach uncaughtException.
        return fail(
          sharedErrors.create(
            'VIGIL_MESSAGE_INVALID',
            `frame could not be handled: ${(cause as Error).message}`,
            { cause },
          ),
        );
      }
    }
  };
  socket.on('data', receive);
  // A reset or EPIPE from a peer that vanished is routine; the 'close' event tells the owner.
  socket.on('error', () => {});

  const wakeInstead = (): false => {
    conn.wake();
    return false;
  };

  const conn: NdjsonSocket = {
    socket,
    send(value) {
      if (socket.destroyed || !socket.writable) return false;
      if (socket.writableLength > maxQueuedBytes) {
        socket.destroy();
        return false;
      }
      socket.write(`${JSON.stringify(value)}\n`);
      return true;
    },
    close() {
      socket.end();
    },
    rest() {
      if (socket.destroyed) return;
      socket.pause();
      const handle = readHandle(socket);
      if (!handle?.reading) return;
      handle.reading = false;
      // A non-zero return is a libuv error: then the socket is broken, and its owner hears 'close'.
      if (handle.readStop() !== 0) socket.destroy();
    },
    wake() {
      if (socket.destroyed) return;
      // readStart first: the stream may think a read is already under way (it was, when rest()
      // stopped it) and would then never ask the handle for one again.
      const handle = readHandle(socket);
      if (handle && !handle.reading) {
        handle.reading = true;
        if (handle.readStart() !== 0) return void socket.destroy();
      }
      socket.resume();
    },
    drain(maxBytes = 256 * 1024) {
      if (socket.destroyed) return false;
      const handle = readHandle(socket);
      const fd = handle?.fd;
      // The loop reads it (not resting, or its stream asked the handle to read again), or the
      // stream holds bytes read before: resume, so those come out in order in the next tick.
      if (!handle || handle.reading || socket.readableLength > 0) return wakeInstead();
      if (typeof fd !== 'number' || fd < 0) return wakeInstead();
      syncReadable ??= nonBlocking(fd);
      if (!syncReadable) return wakeInstead();
      let total = 0;
      while (total < maxBytes && !socket.destroyed) {
        const want = Math.min(drainBuffer.length, maxBytes - total);
        let n: number;
        try {
          n = readSync(fd, drainBuffer, 0, want, null);
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          // Nothing more queued: all of it was read.
          if (code === 'EAGAIN' || code === 'EWOULDBLOCK') return !socket.destroyed;
          if (code !== 'EINTR') {
            socket.destroy();
            return false;
          }
          // A signal cut the read short: the loop reads the rest, before the caller's deferred look.
          return wakeInstead();
        }
        if (n === 0) {
          // The peer closed: what it sent before is handled, and its owner hears 'close'.
          socket.destroy();
          return false;
        }
        total += n;
        receive(drainBuffer.subarray(0, n));
        // A short read of a stream socket took all that was queued: no second read to learn it
        // from EAGAIN (an exception built per look). (A peer that passes descriptors or sends
        // out-of-band data can cut one short with more queued: only its own beats wait, for the
        // next look.)
        if (n < want) return !socket.destroyed;
      }
      // Closed on a bad frame, or read its fill with more maybe queued: the loop reads the rest.
      return socket.destroyed ? false : wakeInstead();
    },
  };
  return conn;
}

/**
 * NDJSON over a net.Socket: one JSON value per line in, one per line out. Oversize lines and
 * bytes that are not JSON are framing errors: reported as a typed VigilError, and the socket is
 * destroyed, so a misbehaving peer costs at most one frame of memory.
 */
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
}

export function attachNdjson(socket: Socket, options: NdjsonSocketOptions): NdjsonSocket {
  const maxFrameBytes = options.maxFrameBytes ?? MAX_FRAME_BYTES;
  const maxQueuedBytes = options.maxQueuedBytes ?? 1024 * 1024;
  const decoder = new NdjsonDecoder(maxFrameBytes);

  const fail = (error: VigilError) => {
    if (socket.destroyed) return;
    options.onFrameError?.(error);
    socket.destroy();
  };

  socket.on('data', (chunk: Buffer) => {
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
  });
  // A reset or EPIPE from a peer that vanished is routine; the 'close' event tells the owner.
  socket.on('error', () => {});

  return {
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
  };
}

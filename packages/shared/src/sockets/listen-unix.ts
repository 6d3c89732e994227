/**
 * Listening on a Unix socket safely: the directory is created (or tightened) to `dirMode`, the
 * socket file gets `mode` before anyone is told it exists, a stale file left by a dead server
 * is replaced, and a live one is never stolen.
 */
import { chmodSync, chownSync, lstatSync, mkdirSync, statSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import { sharedErrors } from '../errors.js';

/** sun_path is 108 bytes on Linux, including the terminating NUL. */
export const MAX_SOCKET_PATH_BYTES = 107;

export interface ListenUnixOptions {
  /** Mode of the socket file: 0o600 for control, 0o660 for the read-only status socket. */
  mode?: number;
  /** Mode of the directory that holds it; 0o700 unless a group must reach a socket inside. */
  dirMode?: number;
  /** Group that owns the socket file (the `vigil` group for status access), when it exists. */
  gid?: number | undefined;
  onConnection(socket: Socket): void;
}

export async function listenUnix(path: string, options: ListenUnixOptions): Promise<Server> {
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH_BYTES) {
    throw sharedErrors.create(
      'VIGIL_SOCKET_PATH_TOO_LONG',
      `socket path is ${Buffer.byteLength(path)} bytes, over the limit of ${MAX_SOCKET_PATH_BYTES}: ${path}`,
    );
  }
  prepareDirectory(dirname(path), options.dirMode ?? 0o700);
  await removeIfStale(path);

  const server = createServer({ allowHalfOpen: false }, options.onConnection);
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(
        error.code === 'EADDRINUSE'
          ? inUse(path, error)
          : sharedErrors.create('VIGIL_SOCKET_IN_USE', `cannot listen on ${path}: ${error.message}`, {
              cause: error,
              hint: 'Check that the runtime directory is writable by the service user.',
            }),
      );
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(path);
  });
  try {
    chmodSync(path, options.mode ?? 0o600);
    if (options.gid !== undefined) chownSync(path, process.getuid?.() ?? -1, options.gid);
  } catch (error) {
    server.close();
    throw error;
  }
  return server;
}

function prepareDirectory(dir: string, mode: number): void {
  mkdirSync(dir, { recursive: true, mode });
  // mkdir leaves an existing directory as it was; a runtime dir must never stay wider than asked.
  if ((statSync(dir).mode & 0o777) !== mode) chmodSync(dir, mode);
}

function inUse(path: string, cause?: unknown) {
  return sharedErrors.create('VIGIL_SOCKET_IN_USE', `another process is already listening on ${path}`, {
    cause,
    detail: { path },
  });
}

/** Resolves when the path is free: absent, or a socket nobody answers on (then removed). */
async function removeIfStale(path: string): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = lstatSync(path).isSocket();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (!isSocket) {
    throw sharedErrors.create('VIGIL_SOCKET_NOT_SOCKET', `${path} exists and is not a socket`, {
      detail: { path },
    });
  }
  if (await isAnswering(path)) throw inUse(path);
  try {
    unlinkSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/** True when something accepts a connection on the socket within `timeoutMs`. */
export function isAnswering(path: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(path);
    const done = (answer: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    // A listener whose backlog is full or that is stopped (SIGSTOP) does not refuse: count it live.
    const timer = setTimeout(() => done(true), timeoutMs);
    socket.once('connect', () => done(true));
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code === 'EAGAIN'));
  });
}

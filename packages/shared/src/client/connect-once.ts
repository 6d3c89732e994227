/** One connection attempt to a Unix socket, bounded in time: what a CLI request needs (no retry). */
import { createConnection, type Socket } from 'node:net';
import { sharedErrors } from '../errors.js';

export function connectOnce(path: string, timeoutMs = 2000): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(sharedErrors.create('VIGIL_CONNECT_FAILED', `no answer from ${path} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      reject(
        sharedErrors.create(
          'VIGIL_CONNECT_FAILED',
          `cannot connect to ${path}: ${error.code ?? error.message}`,
          {
            cause: error,
            detail: { path, errno: error.code },
          },
        ),
      );
    });
  });
}

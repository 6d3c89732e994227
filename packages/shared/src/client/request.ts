/**
 * One request, one response over a control or status socket: what the CLI and tests use to
 * talk to a running watchdog.
 */
import { sharedErrors } from '../errors.js';
import { attachNdjson } from '../framing/ndjson-socket.js';
import { CONNECTION_REFUSAL_ID, PROTOCOL_VERSION } from '../protocol/constants.js';
import type { ControlRequest, ControlResponse } from '../protocol/control.js';
import { parseControlResponse } from '../protocol/parse-control-response.js';
import { connectOnce } from './connect-once.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type RequestBody = DistributiveOmit<ControlRequest, 'v' | 'type' | 'id'>;

/**
 * A request's id need only tell its answer apart on its own connection (one connection per
 * request), so pid, time and a counter do. node:crypto's randomUUID would load the whole crypto
 * module (about 20 internal modules) into every short-lived command.
 */
let sent = 0;
const requestId = (): string =>
  `${process.pid.toString(36)}-${Date.now().toString(36)}-${(sent++).toString(36)}`;

export async function sendRequest(
  socketPath: string,
  body: RequestBody,
  timeoutMs = 5000,
): Promise<ControlResponse> {
  const socket = await connectOnce(socketPath, timeoutMs);
  const id = requestId();
  return new Promise<ControlResponse>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        sharedErrors.create(
          'VIGIL_REQUEST_TIMEOUT',
          `no answer to "${body.op}" on ${socketPath} within ${timeoutMs} ms`,
        ),
      );
    }, timeoutMs);
    const finish = (error: Error | undefined, response?: ControlResponse) => {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(response as ControlResponse);
    };
    const conn = attachNdjson(socket, {
      // The 64 KiB cap guards the watchdog from its peers; an answer from the watchdog (a long
      // history) may be larger, and is bounded here instead.
      maxFrameBytes: 32 * 1024 * 1024,
      onMessage(value) {
        const parsed = parseControlResponse(value);
        if (!parsed.ok) {
          return finish(
            sharedErrors.create('VIGIL_MESSAGE_INVALID', `invalid response: ${parsed.errors.join('; ')}`),
          );
        }
        // A refusal of the connection (too many open) answers whatever was asked on it.
        if (parsed.value.id === id || (!parsed.value.ok && parsed.value.id === CONNECTION_REFUSAL_ID))
          finish(undefined, parsed.value);
      },
      onFrameError: (error) => finish(error),
    });
    socket.once('close', () =>
      finish(
        sharedErrors.create(
          'VIGIL_CONNECT_FAILED',
          `${socketPath} closed the connection before answering "${body.op}"`,
        ),
      ),
    );
    conn.send({ v: PROTOCOL_VERSION, type: 'request', id, ...body });
  });
}

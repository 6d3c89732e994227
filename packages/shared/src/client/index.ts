/**
 * @vigil/shared/client: how a peer reaches a vigil socket — the agent's reconnecting heartbeat
 * connection, and one request and its answer on the control socket (the CLI). The daemon, which
 * only listens, never loads it.
 */
export {
  type ConnectAttempt,
  type ConnectWithRetryOptions,
  connectWithRetry,
} from './reconnecting-client.js';
export { type RequestBody, sendRequest } from './request.js';

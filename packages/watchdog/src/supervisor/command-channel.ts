/**
 * Commands the watchdog sends to the agent on behalf of an operator (fault, restore,
 * maintenance), each answered by a `result` with the same id. Results of the ladder's own
 * recover commands are not claimed here and go to the ladder.
 */
import { randomUUID } from 'node:crypto';
import {
  type Clock,
  type CommandMessage,
  PROTOCOL_VERSION,
  type ResultMessage,
  systemClock,
} from '@vigil/shared';
import { watchdogErrors } from '../errors.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type CommandBody = DistributiveOmit<CommandMessage, 'v' | 'type' | 'id'>;

export class CommandChannel {
  readonly #send: (command: CommandMessage) => boolean;
  readonly #pending = new Map<string, (result: ResultMessage) => void>();

  readonly #clock: Clock;

  constructor(send: (command: CommandMessage) => boolean, clock: Clock = systemClock) {
    this.#send = send;
    this.#clock = clock;
  }

  request(body: CommandBody, timeoutMs: number): Promise<ResultMessage> {
    const id = `op-${randomUUID().slice(0, 8)}`;
    const command = { v: PROTOCOL_VERSION, type: 'command', id, ...body } as CommandMessage;
    if (!this.#send(command)) {
      return Promise.reject(
        watchdogErrors.create(
          'VIGIL_AGENT_NOT_CONNECTED',
          `cannot send "${body.cmd}": the agent is not connected`,
        ),
      );
    }
    return new Promise((resolve, reject) => {
      const timer = this.#clock.setTimeout(() => {
        this.#pending.delete(id);
        reject(
          watchdogErrors.create(
            'VIGIL_COMMAND_TIMEOUT',
            `the agent did not answer "${body.cmd}" within ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      this.#pending.set(id, (result) => {
        this.#clock.clearTimeout(timer);
        resolve(result);
      });
    });
  }

  /** Whether a command still waits for its answer. */
  get waiting(): boolean {
    return this.#pending.size > 0;
  }

  /** Delivers a result; false when it answers none of these commands. */
  resolve(result: ResultMessage): boolean {
    const settle = this.#pending.get(result.id);
    if (!settle) return false;
    this.#pending.delete(result.id);
    settle(result);
    return true;
  }
}

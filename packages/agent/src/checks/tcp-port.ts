/**
 * `tcp`: whether host:port accepts a connection; the value is how long the handshake took.
 * The socket is closed as soon as it connects: nothing is sent.
 */
import net from 'node:net';
import type { Clock } from '@vigil/shared';
import type { CheckConfig } from '../config/checks-schema.js';
import type { Check, CheckOutcome } from './check-result.js';

type TcpConfig = Extract<CheckConfig, { type: 'tcp' }>;

export function createTcpPortCheck(config: TcpConfig, clock: Clock): Check {
  const target = `${config.host}:${config.port}`;
  return {
    config,
    run(signal): Promise<CheckOutcome> {
      const started = clock.now();
      const elapsed = () => Math.round(clock.now() - started);
      if (signal.aborted)
        return Promise.resolve({ status: 'critical', summary: `${target} not tried: aborted` });
      return new Promise((resolve) => {
        const socket = net.connect({ host: config.host, port: config.port });
        const finish = (outcome: CheckOutcome) => {
          signal.removeEventListener('abort', onAbort);
          socket.destroy();
          resolve(outcome);
        };
        const onAbort = () =>
          finish({ status: 'critical', summary: `${target} no connection after ${elapsed()} ms` });
        signal.addEventListener('abort', onAbort, { once: true });
        socket.once('connect', () => {
          const ms = elapsed();
          finish({
            status: 'ok',
            summary: `${target} accepts connections (${ms} ms)`,
            value: ms,
            unit: 'ms',
          });
        });
        socket.once('error', (error: NodeJS.ErrnoException) =>
          finish({ status: 'critical', summary: `${target} ${error.code ?? error.message}` }),
        );
      });
    },
  };
}

/**
 * cpu: keeps one core at 100% in a worker thread, so the main loop (and its heartbeats) keep
 * going: CPU pressure without a hang, which the watchdog must tell apart.
 */
import { Worker } from 'node:worker_threads';
import { forHowLong, type StartFault } from './fault-types.js';

const SPIN = 'for (;;) {}';

export const startSpinCpu: StartFault = (spec, { logger }) => {
  const worker = new Worker(SPIN, { eval: true });
  worker.unref();
  worker.on('error', (error) => logger.warn({ err: error }, 'cpu fault worker failed'));
  return {
    did: [`cpu: spinning one core ${forHowLong(spec)}`],
    running: {
      end() {
        void worker.terminate();
        return 'cpu: stopped spinning';
      },
    },
  };
};

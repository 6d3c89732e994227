/** (b) blocked event loop → started, timed from the app's own `hang` line. */
import { command } from '../lib/app-spec.mjs';
import { unresponsiveScenario } from '../lib/unresponsive-scenario.mjs';

export const hang = unresponsiveScenario(
  'hang',
  '(b) blocked event loop → started',
  async (pid, files, events) => {
    command(files, pid, 'hang');
    const ack = await events.waitFor(
      (e) => e.event === 'hang' && e.pid === pid,
      5000,
      'the app to start hanging',
    );
    return ack.at;
  },
);

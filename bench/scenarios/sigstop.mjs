/** (c) SIGSTOP → started, timed from the harness's kill(2). */
import { unresponsiveScenario } from '../lib/unresponsive-scenario.mjs';

export const sigstop = unresponsiveScenario('sigstop', '(c) SIGSTOP → started', async (pid) => {
  const t0 = Date.now();
  process.kill(pid, 'SIGSTOP');
  return t0;
});

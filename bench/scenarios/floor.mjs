/**
 * The bare floor: `node app.mjs` spawned directly → its `started` line. What no supervisor can
 * beat; every recovery time is also reported as a multiple of this median.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { APP_SCRIPT, appEnv, appFiles } from '../lib/app-spec.mjs';
import { EventsFile } from '../lib/events-file.mjs';
import { guarded } from '../lib/trial.mjs';

export const floor = {
  id: 'floor',
  title: 'bare floor: `node app.mjs` spawn → started',

  async run(ctx, trialCount = ctx.flags.floorTrials) {
    const trials = [];
    for (let i = 0; i < trialCount; i++) {
      trials.push(await guarded(() => once(ctx)));
    }
    const ok = trials.filter((t) => typeof t.ms === 'number').map((t) => t.ms);
    ctx.log(`floor: ${ok.join(', ')} ms`);
    return { trials };
  },
};

async function once(ctx) {
  const keeper = ctx.keeper.scoped(`floor-${Date.now()}`);
  const dir = mkdtempSync(join(ctx.tmp, 'flo-'));
  const files = appFiles(dir);
  const events = new EventsFile(files.events);
  try {
    const env = keeper.env(appEnv(files, { mode: 'once' }));
    const before = Date.now();
    const child = keeper.spawn(process.execPath, [APP_SCRIPT], { env, cwd: dir, logFile: join(dir, 'out') });
    const started = await events.waitFor((e) => e.event === 'started', 10_000, 'the started line');
    await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
    return { ms: started.at - before };
  } finally {
    await keeper.sweep();
    if (!ctx.flags.keepTmp) rmSync(dir, { recursive: true, force: true });
  }
}

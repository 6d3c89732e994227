/**
 * The trial loop of a scenario: trial 1 of every peer, then trial 2 of every peer, … (so a
 * change in the machine's load over the run falls on all peers alike). A peer that has hit the
 * cap `capStreak` trials in a row without recovering has shown it does not notice: its remaining
 * trials are recorded as `never` without being run (flag --cap-streak, 0 runs them all).
 */
import { guarded } from './trial.mjs';

/**
 * @param ctx        the run's context (flags, peers, log)
 * @param scenario   { id, options(peer) → start options, unsupported(peer) → reason | null }
 * @param trial      (peer, index) → Promise<trial result>
 * @param options    trialCount (default --trials); beforeRound(index), run before each round
 */
export async function peerTrials(ctx, scenario, trial, { trialCount = ctx.flags.trials, beforeRound } = {}) {
  const results = {};
  const streak = new Map();
  for (const peer of ctx.peers) {
    const options = scenario.options?.(peer) ?? {};
    results[peer.name] = { config: peer.describeConfig(options), trials: [] };
    const reason = scenario.unsupported?.(peer) ?? null;
    if (reason) results[peer.name].unsupported = reason;
  }
  for (let i = 0; i < trialCount; i++) {
    await beforeRound?.(i);
    for (const peer of ctx.peers) {
      const entry = results[peer.name];
      if (entry.unsupported) continue;
      const capped = streak.get(peer.name) ?? 0;
      if (ctx.flags.capStreak > 0 && capped >= ctx.flags.capStreak) {
        entry.trials.push({ never: true, skipped: `not run: ${capped} trials in a row reached the cap` });
        continue;
      }
      const started = Date.now();
      const result = await guarded(() => trial(peer, i));
      streak.set(peer.name, result.never ? capped + 1 : 0);
      entry.trials.push(result);
      ctx.log(
        `${scenario.id} ${peer.name} ${i + 1}/${trialCount}: ${describe(result)} (${Date.now() - started} ms)`,
      );
    }
  }
  return results;
}

function describe(result) {
  if (result.failed) return `FAILED ${result.failed}`;
  if (result.never) return 'never';
  return Object.entries(result)
    .filter(([, v]) => typeof v === 'number' || typeof v === 'string')
    .map(([k, v]) => `${k}=${typeof v === 'number' ? Math.round(v * 10) / 10 : v}`)
    .join(' ');
}

/**
 * One trial against one peer: a fresh supervisor in a fresh directory (so every trial sees a
 * first failure, not the crash-loop guard left over from the last one), the app started and
 * known to the supervisor, the scenario's body, then teardown whatever happened: SIGCONT,
 * the peer's own stop, a SIGKILL sweep of every process of the run, and a check that none is left.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { appFiles } from './app-spec.mjs';
import { EventsFile } from './events-file.mjs';
import { isAlive } from './proc.mjs';
import { waitFor } from './wait-for.mjs';

let trials = 0;

export async function withPeer(ctx, peer, options, body) {
  const keeper = ctx.keeper.scoped(String(++trials));
  const dir = mkdtempSync(join(ctx.tmp, `${peer.name.slice(0, 3)}-`));
  const files = appFiles(dir);
  const events = new EventsFile(files.events);
  let session;
  try {
    session = await peer.start({ keeper, dir, files, ...options });
    const result = await body({ session, events, files, dir });
    // A supervisor that died mid-trial (a crash, or a signal from outside) voids the trial.
    const pids = session.supervisorPids();
    if (pids.length === 0 || !pids.every(isAlive)) {
      throw new Error(`${peer.name}'s supervisor process was gone at the end of the trial (${dir})`);
    }
    return result;
  } finally {
    keeper.continueAll();
    if (session) {
      await Promise.race([
        session.stop().catch(() => {}),
        new Promise((resolve) => setTimeout(resolve, 25_000).unref()),
      ]);
    }
    await keeper.sweep();
    if (!ctx.flags.keepTmp) rmSync(dir, { recursive: true, force: true });
  }
}

/** The app is up and its supervisor knows it: the pid of its latest start is the one the supervisor reports. */
export async function waitReady(session, events, timeoutMs = 30_000) {
  let last = null;
  return waitFor(
    async () => {
      const starts = events.starts();
      last = starts[starts.length - 1] ?? null;
      if (!last) return null;
      const pid = await session.appPid();
      return pid === last.pid && (await session.isReady()) ? last : null;
    },
    {
      timeoutMs,
      intervalMs: 25,
      what: () =>
        `the app to be up and known to its supervisor (last start: ${last ? `pid ${last.pid}` : 'none'})`,
    },
  );
}

/** Runs `fn` and turns a throw into a failed trial with its reason; the run goes on. */
export async function guarded(fn) {
  try {
    return await fn();
  } catch (error) {
    return { failed: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * The supervisor's own account of a recovery, when it keeps one (vigil): ms from `t0` to
 * noticing, to the stop, to the spawn, and from the spawn to the app's `started` line.
 */
export function timeline(session, t0, next) {
  const t = session.timeline?.(t0);
  if (!t) return {};
  const bootMs = t.spawnedMs === undefined ? undefined : next.at - t0 - t.spawnedMs;
  return { timeline: { ...t, bootMs } };
}

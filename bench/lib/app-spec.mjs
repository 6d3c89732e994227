/**
 * The app under supervision (bench/app/app.mjs) and how each trial talks to it: an events file
 * it appends to, a control directory the harness writes commands into, and a heartbeat file for
 * monit's hand-written rule.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const APP_SCRIPT = fileURLToPath(new URL('../app/app.mjs', import.meta.url));
export const MiB = 1024 * 1024;
/** The memory limit every peer with a limit is given. */
export const LIMIT_BYTES = 150 * MiB;

/** Files of one trial's app under `dir`. */
export function appFiles(dir) {
  const files = { events: join(dir, 'events'), control: join(dir, 'ctl'), hb: join(dir, 'hb') };
  mkdirSync(files.control, { recursive: true });
  return files;
}

/**
 * The app's environment. `mode`: run | crash | once. `heartbeatFile`: touch files.hb (monit).
 * `vigil`: heartbeat to the vigil watchdog with the SDK.
 */
export function appEnv(files, { mode = 'run', heartbeatFile = false, vigil = false } = {}) {
  const env = { BENCH_EVENTS_FILE: files.events, BENCH_CONTROL_DIR: files.control, BENCH_MODE: mode };
  if (heartbeatFile) env.BENCH_HB_FILE = files.hb;
  if (vigil) env.BENCH_VIGIL = '1';
  return env;
}

/** Tells the app with pid `pid` to `hang` or `leak`. */
export function command(files, pid, what) {
  writeFileSync(join(files.control, String(pid)), `${what}\n`);
}

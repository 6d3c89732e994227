/**
 * The last good config: after a clean start the watchdog keeps the config it started on
 * (resolved, as JSON) in `state/config.last-good.json`. Under systemd, a watchdog restarted onto
 * a config file that no longer validates starts on that one instead of exiting — with
 * Restart=always an exit is a restart loop with nobody watching the agent — and says so loudly:
 * in the log, in the status object, in `vigil status` and `vigil why`. An interactive embedded
 * `vigil run` still refuses a bad file: its operator is there to fix it.
 */
import { join } from 'node:path';
import {
  type ConfigOrigin,
  ensureDir,
  isVigilError,
  readRegularFileInside,
  type VigilPaths,
  writeFileAtomic,
} from '@vigil/shared';
import { loadConfig, parseConfig, type VigilConfig } from '@vigil/shared/config';

const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

export function lastGoodConfigPath(paths: VigilPaths): string {
  return join(paths.stateDir, 'config.last-good.json');
}

export interface StartConfig {
  config: VigilConfig;
  /** Problems in the agent's own section, which the watchdog starts regardless of (the agent judges them). */
  agentProblems?: readonly string[] | undefined;
  /** The config file asked for (also when it was refused); null for the built-in defaults. */
  file: string | null;
  origin: ConfigOrigin;
}

/** One line, bounded: the error goes into the status object. */
function summarize(message: string): string {
  const line = message.replace(/\s*\n\s*/g, '; ').trim();
  return line.length > 1000 ? `${line.slice(0, 999)}…` : line;
}

/**
 * The config to start on: the file (or the built-in defaults). Under systemd, a file that does
 * not load is replaced by the last good config when there is one; otherwise its error is thrown.
 */
export function loadStartConfig(file: string | null, paths: VigilPaths): StartConfig {
  try {
    // The watchdog starts on any file whose watchdog part is valid; the agent judges its own part.
    const loaded = loadConfig(file, { scope: 'watchdog' });
    return {
      config: loaded.config,
      agentProblems: loaded.agentProblems,
      file: loaded.source,
      origin: loaded.source === null ? { source: 'defaults' } : { source: 'file', file: loaded.source },
    };
  } catch (error) {
    if (paths.mode !== 'systemd' || !isVigilError(error)) throw error;
    const fallback = lastGoodConfigPath(paths);
    const text = readRegularFileInside(fallback, { within: paths.stateDir, maxBytes: MAX_CONFIG_BYTES });
    if (text === null) throw error;
    let config: VigilConfig;
    try {
      config = parseConfig(text, fallback);
    } catch {
      // A last good config that no longer validates (a newer schema) is no fallback.
      throw error;
    }
    return {
      config,
      file,
      origin: {
        source: 'last-good',
        ...(file === null ? {} : { file }),
        error: summarize(error.message),
        fallback,
      },
    };
  }
}

/** Keeps `config` as the last good one (atomically, fsync'd: it is read after a crash). */
export function keepLastGoodConfig(paths: VigilPaths, config: VigilConfig): void {
  ensureDir(paths.stateDir, { mode: 0o750 });
  writeFileAtomic(lastGoodConfigPath(paths), `${JSON.stringify(config, null, 2)}\n`, {
    mode: 0o640,
    fsync: true,
  });
}

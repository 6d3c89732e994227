/**
 * The config the agent starts with: the config file when it is valid; else the last config the
 * agent ran successfully (kept in the state directory), so a bad edit made while the agent was
 * down does not cost its checks; else the built-in defaults. The agent always starts.
 */
import { dirname } from 'node:path';
import { isVigilError, type Logger, readRegularFileInside, writeFileAtomic } from '@vigil/shared';
import { defaultConfig, type FullConfig, loadConfigFile, parseConfig } from '../config/full-config.js';
import type { ConfigAudit } from './config-audit.js';

export interface StartupConfigOptions {
  file: string | null;
  runningFile: string;
  audit: ConfigAudit;
  logger: Logger;
}

export function rememberRunning(runningFile: string, config: FullConfig): void {
  try {
    writeFileAtomic(runningFile, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o640 });
  } catch {
    // Best effort: it is only the fallback for a bad file at the next start.
  }
}

export function loadStartupConfig(options: StartupConfigOptions): FullConfig {
  const { file, runningFile, audit } = options;
  if (file === null) {
    audit.write({ action: 'loaded', file: null, note: 'no config file: built-in defaults' });
    return defaultConfig();
  }
  try {
    const { config } = loadConfigFile(file);
    audit.write({ action: 'loaded', file });
    rememberRunning(runningFile, config);
    return config;
  } catch (error) {
    const errors = isVigilError(error)
      ? ((error.detail?.errors as string[] | undefined) ?? [error.message])
      : [String(error)];
    try {
      // Read as it was written: never through a link, never blocking on a FIFO.
      const text = readRegularFileInside(runningFile, {
        within: dirname(runningFile),
        maxBytes: 4 * 1024 * 1024,
      });
      if (text === null) throw new Error(`${runningFile} is missing or not a regular file`);
      const config = parseConfig(text, runningFile);
      audit.write({
        action: 'rejected',
        file,
        errors,
        note: `starting with the last running config (${runningFile})`,
        running: runningFile,
      });
      return config;
    } catch {
      audit.write({
        action: 'rejected',
        file,
        errors,
        note: 'starting with the built-in defaults',
        running: null,
      });
      return defaultConfig();
    }
  }
}

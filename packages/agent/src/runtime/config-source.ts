/**
 * The config the agent starts with: the config file when it is valid; else the last config the
 * agent ran successfully (kept in the state directory), so a bad edit made while the agent was
 * down does not cost its checks; else the built-in defaults. The agent always starts.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import {
  defaultConfig,
  isVigilError,
  type Logger,
  loadConfigFile,
  parseConfig,
  type VigilConfig,
} from '@vigil/shared';
import type { ConfigAudit } from './config-audit.js';

export interface StartupConfigOptions {
  file: string | null;
  runningFile: string;
  audit: ConfigAudit;
  logger: Logger;
}

export function rememberRunning(runningFile: string, config: VigilConfig): void {
  try {
    writeFileSync(runningFile, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o640 });
  } catch {
    // Best effort: it is only the fallback for a bad file at the next start.
  }
}

export function loadStartupConfig(options: StartupConfigOptions): VigilConfig {
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
      const config = parseConfig(readFileSync(runningFile, 'utf8'), runningFile);
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

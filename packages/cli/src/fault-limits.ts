/**
 * Whether a resource fault has anything to act on it. `vigil chaos leak|bloat|cpu` with no
 * watchdog limit for that resource still injects, but says that nothing will recover from it.
 * The limits are read from the config the watchdog runs on (the file its status names, its last
 * good config, or the built-in defaults), so the answer follows whatever defaults apply.
 */

import { loadConfig, type VigilConfig } from '@vigil/shared/config';
import type { FaultName, StatusSnapshot } from '@vigil/shared/core';

type Resources = VigilConfig['watchdog']['resources'];

const WATCHED_BY: Partial<
  Record<FaultName, { key: string; limited: (r: Resources) => boolean; what: string }>
> = {
  leak: {
    key: 'watchdog.resources.memory',
    limited: (r) => r.memory.maxRssBytes !== undefined || r.memory.ceilingRssBytes !== undefined,
    what: 'maxRssBytes or ceilingRssBytes',
  },
  bloat: {
    key: 'watchdog.resources.memory',
    limited: (r) => r.memory.maxRssBytes !== undefined || r.memory.ceilingRssBytes !== undefined,
    what: 'maxRssBytes or ceilingRssBytes',
  },
  cpu: {
    key: 'watchdog.resources.cpu',
    limited: (r) => r.cpu.maxPercent !== undefined,
    what: 'maxPercent',
  },
};

/** A fault that only a resource limit acts on. */
export function isResourceFault(fault: FaultName): boolean {
  return WATCHED_BY[fault] !== undefined;
}

/** The warning for injecting `fault` into a pair running on `config`; null when a limit will act. */
export function unwatchedFaultWarning(fault: FaultName, config: VigilConfig): string | null {
  const watch = WATCHED_BY[fault];
  if (!watch || watch.limited(config.watchdog.resources)) return null;
  return `no ${watch.key} limit is configured (${watch.what}), so nothing will act on this ${fault}: the watchdog will not recover from it. Set ${watch.key}.${watch.what.split(' ')[0]} in the config to see the ladder work, or stop it with \`vigil chaos clear\`.`;
}

/** The config file the watchdog runs on, from its status; `fallback` when the status does not say. */
export function runningConfigFile(snapshot: StatusSnapshot, fallback: string | null): string | null {
  const origin = snapshot.watchdog.config;
  if (!origin) return fallback;
  if (origin.source === 'defaults') return null;
  if (origin.source === 'last-good') return origin.fallback ?? fallback;
  return origin.file ?? fallback;
}

/** The running config, or null when it cannot be read here (then nothing is claimed). */
export function readRunningConfig(snapshot: StatusSnapshot, fallback: string | null): VigilConfig | null {
  try {
    return loadConfig(runningConfigFile(snapshot, fallback), { scope: 'watchdog' }).config;
  } catch {
    return null;
  }
}

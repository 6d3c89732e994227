/**
 * Applying a new config to a running agent: only what changed. Checks are added, removed or
 * retuned by name; alerting is reconfigured; the metrics listener rebinds. Settings that only
 * take effect at a restart are listed, not silently ignored. A failure throws, and the caller
 * rolls back by applying the previous config the same way.
 */
import { isDeepStrictEqual } from 'node:util';
import type { AlertDispatcher } from '../actions/alert-dispatcher.js';
import type { CheckRegistry } from '../checks/check-registry.js';
import { preloadFor } from '../checks/lazy-modules.js';
import type { FullConfig } from '../config/full-config.js';
import type { MetricsServer } from '../metrics/metrics-server.js';

export interface Appliable {
  registry: CheckRegistry;
  alerts: AlertDispatcher;
  metricsServer: MetricsServer;
}

const AT_RESTART: readonly (keyof FullConfig['agent'])[] = [
  'command',
  'env',
  'faults',
  'recovery',
  'stopTimeoutMs',
];

export async function applyConfig(
  next: FullConfig,
  previous: FullConfig,
  target: Appliable,
): Promise<Record<string, string[]>> {
  const changes: Record<string, string[]> = {};
  await preloadFor(next.agent.checks);
  const diff = target.registry.apply(next.agent.checks);
  changes.checks = [
    ...diff.added.map((n) => `added ${n}`),
    ...diff.removed.map((n) => `removed ${n}`),
    ...diff.retuned.map((n) => `retuned ${n}`),
  ];
  if (!isDeepStrictEqual(next.agent.alerts, previous.agent.alerts)) {
    target.alerts.reconfigure(next.agent.alerts);
    changes.alerts = ['reconfigured'];
  }
  if (!isDeepStrictEqual(next.agent.metrics, previous.agent.metrics)) {
    const listen = next.agent.metrics.enabled ? next.agent.metrics.listen : undefined;
    await target.metricsServer.listen(listen, { strict: true });
    changes.metrics = [listen ? `serving on ${target.metricsServer.address}` : 'stopped'];
  }
  const later = AT_RESTART.filter((key) => !isDeepStrictEqual(next.agent[key], previous.agent[key])).map(
    (key) => `agent.${key}`,
  );
  if (!isDeepStrictEqual(next.watchdog, previous.watchdog)) later.push('watchdog.*');
  if (!isDeepStrictEqual(next.log, previous.log)) later.push('log.*');
  if (later.length) changes.atNextRestart = later;
  return changes;
}

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { StatusSnapshot } from '@vigil/shared';
import { loadConfig, type VigilConfig } from '@vigil/shared/config';
import { runningConfigFile, unwatchedFaultWarning } from '../src/fault-limits.ts';
import { sampleSnapshot } from './snapshot-fixture.ts';

/** The built-in config with the given resource limits, and none other (whatever the defaults are). */
function withLimits(
  memory: { maxRssBytes?: number; ceilingRssBytes?: number },
  cpu: { maxPercent?: number },
) {
  const base = structuredClone(loadConfig(null).config) as VigilConfig;
  const resources = base.watchdog.resources as {
    memory: Record<string, unknown>;
    cpu: Record<string, unknown>;
  };
  delete resources.memory.maxRssBytes;
  delete resources.memory.ceilingRssBytes;
  delete resources.cpu.maxPercent;
  Object.assign(resources.memory, memory);
  Object.assign(resources.cpu, cpu);
  return base;
}

describe('resource faults and the limits that act on them', () => {
  test('leak and bloat warn without a memory limit, cpu without a cpu limit; others never', () => {
    const none = withLimits({}, {});
    assert.match(unwatchedFaultWarning('leak', none) ?? '', /no watchdog\.resources\.memory limit/);
    assert.match(unwatchedFaultWarning('bloat', none) ?? '', /no watchdog\.resources\.memory limit/);
    assert.match(unwatchedFaultWarning('cpu', none) ?? '', /no watchdog\.resources\.cpu limit/);
    for (const fault of ['hang', 'crash', 'stop-heartbeat', 'fail-health'] as const)
      assert.equal(unwatchedFaultWarning(fault, none), null);
  });

  test('either memory limit is enough; the cpu limit is separate', () => {
    assert.equal(unwatchedFaultWarning('leak', withLimits({ maxRssBytes: 2 ** 30 }, {})), null);
    assert.equal(unwatchedFaultWarning('leak', withLimits({ ceilingRssBytes: 2 ** 30 }, {})), null);
    assert.match(unwatchedFaultWarning('cpu', withLimits({ maxRssBytes: 2 ** 30 }, {})) ?? '', /cpu/);
    assert.equal(unwatchedFaultWarning('cpu', withLimits({}, { maxPercent: 90 })), null);
  });

  test('the config read is the one the watchdog says it runs on', () => {
    const at = (config: StatusSnapshot['watchdog']['config']) => {
      const snapshot = sampleSnapshot();
      if (config) snapshot.watchdog.config = config;
      else delete snapshot.watchdog.config;
      return runningConfigFile(snapshot, '/cli/vigil.yaml');
    };
    assert.equal(at({ source: 'file', file: '/etc/vigil/vigil.yaml' }), '/etc/vigil/vigil.yaml');
    assert.equal(at({ source: 'defaults' }), null);
    assert.equal(
      at({
        source: 'last-good',
        file: '/etc/vigil/vigil.yaml',
        fallback: '/var/lib/vigil/config.last-good.json',
      }),
      '/var/lib/vigil/config.last-good.json',
    );
    assert.equal(at(undefined), '/cli/vigil.yaml');
  });
});

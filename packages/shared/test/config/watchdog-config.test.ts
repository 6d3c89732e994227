// The config as the watchdog reads it: its own keys, the log's and the agent keys it starts the
// agent with must be valid; the rest of the agent section is reported, its checks never judged.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { isVigilError } from '@vigil/shared';
import { defaultConfig, loadConfigFile, parseConfig } from '@vigil/shared/config';

const dir = mkdtempSync('/tmp/vg-cfg-wd-');
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Loads a file that must fail; returns the problem lines. */
function failure(name: string, text: string): { errors: string[] } {
  try {
    loadConfigFile(file(name, text));
  } catch (error) {
    assert.ok(isVigilError(error), `expected a VigilError, got ${String(error)}`);
    return { errors: (error.detail?.errors as string[]) ?? [] };
  }
  assert.fail(`${name} should not load`);
}

describe("the watchdog's scope", () => {
  const badAgentKey = JSON.stringify({
    watchdog: { heartbeat: { intervalMs: 200 } },
    agent: {
      command: ['node', 'agent.js'],
      faults: { enabled: true },
      metrics: { listen: 'everywhere' },
    },
  });

  test('the watchdog starts on it: its own part and the agent keys it reads apply, the rest is reported', () => {
    const loaded = loadConfigFile(file('scope-wd.json', badAgentKey), { scope: 'watchdog' });
    assert.equal(loaded.config.watchdog.heartbeat.intervalMs, 200);
    assert.deepEqual(loaded.config.agent.command, ['node', 'agent.js']);
    assert.equal(loaded.config.agent.faults.enabled, true);
    assert.ok(
      loaded.agentProblems?.some((p) => p.startsWith('agent.metrics.listen')),
      String(loaded.agentProblems),
    );
  });

  test('a bad watchdog key, top-level key or agent.command still refuses it', () => {
    for (const [name, text] of [
      ['wd.json', { watchdog: { heartbeat: { intervalMS: 1 } }, agent: { checks: 'x' } }],
      ['top.json', { agnet: {} }],
      ['cmd.json', { agent: { command: [] } }],
      ['env.json', { agent: { env: { 'BAD KEY': 'x' } } }],
    ] as const) {
      assert.throws(
        () => loadConfigFile(file(`scope-${name}`, JSON.stringify(text)), { scope: 'watchdog' }),
        isVigilError,
      );
    }
  });

  test("the checks are the agent's to judge: any value passes the watchdog's schema", () => {
    const checks = JSON.stringify({
      agent: { checks: [{ type: 'http', name: 'site', url: 'ftp://x/' }, 7] },
    });
    const loaded = loadConfigFile(file('scope-checks.json', checks), { scope: 'watchdog' });
    assert.equal(loaded.agentProblems, undefined);
    assert.equal(loaded.config.agent.checks.length, 2);
    assert.deepEqual(defaultConfig().agent.checks, []);
  });

  test('a valid file has no agent problems', () => {
    const loaded = loadConfigFile(file('scope-ok.json', '{"agent":{"checks":[]}}'), { scope: 'watchdog' });
    assert.equal(loaded.agentProblems, undefined);
  });
});

describe('byte sizes', () => {
  test('take units as systemd does (powers of 1024), or plain bytes', async () => {
    const { parseByteSize } = await import('../../src/config/byte-sizes.ts');
    assert.equal(parseByteSize('150M'), 150 * 1024 * 1024);
    assert.equal(parseByteSize('150MiB'), 150 * 1024 * 1024);
    assert.equal(parseByteSize('1.5G'), 1.5 * 1024 ** 3);
    assert.equal(parseByteSize('512k'), 512 * 1024);
    assert.equal(parseByteSize('4096'), 4096);
    assert.equal(parseByteSize(4096), 4096);
    for (const bad of ['lots', '1.5.5G', '-5M', '10X', '']) assert.equal(parseByteSize(bad), null, bad);
  });

  test('in the config file, with the path named when one is wrong', () => {
    const config = parseConfig(
      'watchdog:\n  resources:\n    memory: { maxRssBytes: 150M, ceilingRssBytes: "180 MiB" }\n  history: { maxBytes: 2M }\n',
      'sizes.yaml',
    );
    assert.equal(config.watchdog.resources.memory.maxRssBytes, 150 * 1024 * 1024);
    assert.equal(config.watchdog.resources.memory.ceilingRssBytes, 180 * 1024 * 1024);
    assert.equal(config.watchdog.history.maxBytes, 2 * 1024 * 1024);
    const { errors } = failure(
      'sizes-bad.yaml',
      'watchdog:\n  resources:\n    memory: { maxRssBytes: lots }\n',
    );
    assert.deepEqual(errors, [
      'watchdog.resources.memory.maxRssBytes: must be a byte size (bytes, or with a unit: 512K, 150M, 1.5G), got "lots"',
    ]);
  });

  test('every byte-valued key of the schema takes units', async () => {
    const { BYTE_SIZE_PATHS } = await import('../../src/config/byte-sizes.ts');
    const { ConfigSchema } = await import('../../src/config/schema.ts');
    const found: string[] = [];
    const walk = (schema: { properties?: Record<string, unknown> }, path: string) => {
      for (const [key, child] of Object.entries(schema.properties ?? {})) {
        const at = path ? `${path}.${key}` : key;
        if (/Bytes$/.test(key)) found.push(at);
        walk(child as { properties?: Record<string, unknown> }, at);
      }
    };
    walk(ConfigSchema as unknown as { properties: Record<string, unknown> }, '');
    assert.ok(found.length >= 3, found.join(', '));
    for (const path of found) assert.ok(BYTE_SIZE_PATHS.includes(path), `${path} takes units`);
  });
});

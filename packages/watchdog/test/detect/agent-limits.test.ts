import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseConfig } from '@vigil/shared/config';
import { agentLimits, BUNDLED_AGENT_DEFAULTS } from '../../src/detect/agent-limits.ts';

const config = (text: string) => parseConfig(text, 'vigil.json');

describe('the limits applied to the agent', () => {
  test('the bundled agent gets vigil’s defaults where none are set', () => {
    const limits = agentLimits(config('{}'));
    assert.equal(limits.memory.maxRssBytes, BUNDLED_AGENT_DEFAULTS.maxRssBytes);
    assert.equal(limits.memory.ceilingRssBytes, BUNDLED_AGENT_DEFAULTS.ceilingRssBytes);
    assert.equal(limits.cpu.maxPercent, BUNDLED_AGENT_DEFAULTS.cpuMaxPercent);
    assert.deepEqual(limits.defaulted, ['memory', 'cpu']);
  });

  test('what the config sets wins, and only the unset part is defaulted', () => {
    const limits = agentLimits(config('{"watchdog":{"resources":{"memory":{"maxRssBytes":"150M"}}}}'));
    assert.equal(limits.memory.maxRssBytes, 150 * 1024 * 1024);
    assert.equal(limits.memory.ceilingRssBytes, undefined);
    assert.deepEqual(limits.defaulted, ['cpu']);
  });

  test('a custom agent gets only what is configured; bundledDefaults: false turns them off', () => {
    assert.deepEqual(agentLimits(config('{"agent":{"command":["node","svc.js"]}}')).defaulted, []);
    const off = agentLimits(config('{"watchdog":{"resources":{"bundledDefaults":false}}}'));
    assert.deepEqual(off.defaulted, []);
    assert.equal(off.memory.maxRssBytes, undefined);
    assert.equal(off.cpu.maxPercent, undefined);
  });
});

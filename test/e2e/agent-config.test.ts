// The agent's config is never silent: a file created after the start is loaded; a rejected
// change shows in `vigil status` and `vigil why` until a good one applies; and a bad agent
// check never keeps the watchdog from starting (the agent judges its own section).
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Pair } from '../support/pair.ts';

const good = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({ agent: { metrics: { listen: '127.0.0.1:0' }, checks: [], ...extra } });
const badCheck = JSON.stringify({
  agent: {
    metrics: { listen: '127.0.0.1:0' },
    faults: { enabled: true },
    checks: [{ type: 'http', name: 'site', url: 'ftp://example.invalid/' }],
  },
});

describe("the agent's config", () => {
  const pairs: Pair[] = [];
  after(() => Promise.all(pairs.map((p) => p.dispose())));

  test('a vigil.json created after the start is loaded; a bad change is shown until a good one applies', async () => {
    const pair = new Pair();
    pairs.push(pair);
    const file = join(pair.home, 'vigil.json');
    rmSync(file);
    await pair.start();
    const first = await pair.waitForHealthy(20_000);
    assert.equal(first.agent.config?.source ?? null, null, 'built-in defaults at first');

    writeFileSync(file, good());
    const loaded = await pair.waitForStatus(
      (s) => s.agent.config?.source === file,
      15_000,
      'the new file loaded',
    );
    assert.equal(loaded.agent.config?.rejected, undefined);

    writeFileSync(file, badCheck);
    const rejected = await pair.waitForStatus(
      (s) => s.agent.config?.rejected !== undefined,
      15_000,
      'the bad change reported',
    );
    assert.match(rejected.agent.config?.rejected?.problems[0] ?? '', /^agent\.checks\[0\]\.url/);
    assert.equal(rejected.agent.config?.source, file, 'still running the last good file');
    const status = pair.cli(['status']);
    assert.match(
      status.stdout,
      /config\s+agent: last change rejected at \S+ \(.*agent\.checks\[0\]\.url.*\); running .*vigil\.json/,
    );
    assert.match(pair.cli(['why']).stdout, /Its config: last change rejected at/);

    writeFileSync(file, good({ stopTimeoutMs: 2000 }));
    await pair.waitForStatus(
      (s) => s.agent.config !== undefined && s.agent.config !== null && s.agent.config.rejected === undefined,
      15_000,
      'a good change clears the refusal',
    );
    assert.doesNotMatch(pair.cli(['status', '-n', '0']).stdout, /rejected/, 'the log lines aside');
  });

  test('a bad agent check does not stop the watchdog: the agent starts on its fallback and says why', async () => {
    const pair = new Pair();
    pairs.push(pair);
    writeFileSync(join(pair.home, 'vigil.json'), badCheck);
    await pair.start();
    const status = await pair.waitForStatus(
      (s) => s.agent.state === 'healthy' && s.agent.config?.rejected !== undefined,
      20_000,
      'healthy, with the refusal shown',
    );
    assert.equal(status.agent.config?.source, null, 'the built-in defaults run');
    assert.match(
      pair.cli(['config', 'validate', join(pair.home, 'vigil.json')]).stderr,
      /agent\.checks\[0\]\.url/,
    );
  });
});

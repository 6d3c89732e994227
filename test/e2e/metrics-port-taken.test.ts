// Two pairs on one host with the same metrics port: the second agent cannot bind it. That must
// show in `vigil status` and `vigil why` as a warning, not only as a line in the agent's log.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { after, describe, test } from 'node:test';
import { waitFor } from '@vigil/shared/testing';
import { Pair } from '../support/pair.ts';

const pairs: Pair[] = [];
after(async () => {
  for (const pair of pairs) await pair.dispose();
});

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function metricsAnswer(port: number): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/metrics`)).ok;
  } catch {
    return false;
  }
}

describe('a metrics port already in use', () => {
  test('the second pair on the port shows a warning in status and why; the first shows none', async () => {
    const port = await freePort();
    const listen = `127.0.0.1:${port}`;
    const first = new Pair({ agent: { metrics: { listen } } });
    pairs.push(first);
    await first.start();
    await first.waitForHealthy();
    await waitFor(() => metricsAnswer(port), 10_000, 'the first pair serving metrics');

    const second = new Pair({ agent: { metrics: { listen } } });
    pairs.push(second);
    await second.start();
    const status = await second.waitForStatus(
      (s) => (s.agent.warnings?.length ?? 0) > 0,
      15_000,
      'a warning from the second agent',
    );
    assert.equal(status.agent.warnings?.length, 1, JSON.stringify(status.agent.warnings));
    assert.match(status.agent.warnings?.[0] ?? '', new RegExp(`${listen} is in use`));
    assert.match(status.agent.warnings?.[0] ?? '', /agent\.metrics\.listen/);

    const shown = second.cli(['status']);
    assert.match(shown.stdout, new RegExp(`^ {2}warning {4}metrics not served: ${listen} is in use`, 'm'));
    const why = second.cli(['why']);
    assert.match(why.stdout, /It warns: metrics not served/);
    const json = JSON.parse(second.cli(['status', '--json']).stdout);
    assert.deepEqual(json.agent.warnings, status.agent.warnings);

    assert.deepEqual((await first.status()).agent.warnings, []);
    assert.doesNotMatch(first.cli(['status']).stdout, /warning/);
  });
});

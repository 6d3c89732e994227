import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { FakeClock, waitFor } from '@vigil/shared/testing';
import { CheckRegistry } from '../../src/checks/check-registry.ts';
import { createHttpEndpointCheck } from '../../src/checks/http-endpoint.ts';
import { checkConfig, type TestContext, testContext } from './support/check-config.ts';
import { settle } from './support/scripted-check.ts';
import { TestHttpServer } from './support/test-http-server.ts';

const signal = () => AbortSignal.timeout(10_000);

describe('http endpoint check', () => {
  let server: TestHttpServer;
  let context: TestContext;
  before(async () => {
    server = await TestHttpServer.start();
    context = testContext();
  });
  after(async () => {
    context.dispose();
    await server.close();
  });

  const run = (path: string, options: Partial<Parameters<typeof checkConfig<'http'>>[0]> = {}) =>
    createHttpEndpointCheck(
      checkConfig({ type: 'http', name: 'api', url: `${server.url}${path}`, ...options }),
      context,
    ).run(signal());

  test('a 200 is ok, with the latency as the value', async () => {
    const outcome = await run('/ok');
    assert.equal(outcome.status, 'ok');
    assert.equal(outcome.unit, 'ms');
    assert.match(outcome.summary, new RegExp(`^GET ${server.url}/ok 200 in \\d+ ms$`));
  });

  test('status codes: 2xx/3xx by default (redirects are not followed), else expectStatus', async () => {
    assert.equal((await run('/status?code=302')).status, 'ok');
    const down = await run('/status?code=503');
    assert.equal(down.status, 'critical');
    assert.match(down.summary, /503 in \d+ ms \(expected 2xx\/3xx\)$/);
    assert.equal((await run('/status?code=503', { expectStatus: [503] })).status, 'ok');
    const unexpected = await run('/status?code=200', { expectStatus: [204, 301] });
    assert.match(unexpected.summary, /\(expected 204, 301\)$/);
  });

  test('bodyMatch must match the body', async () => {
    assert.equal((await run('/ok', { bodyMatch: 'status: ready' })).status, 'ok');
    const miss = await run('/ok', { bodyMatch: 'status: down' });
    assert.equal(miss.status, 'critical');
    assert.match(miss.summary, /body does not match \/status: down\/$/);
    const head = await run('/ok', { method: 'HEAD', bodyMatch: 'ready' });
    assert.match(head.summary, /\(HEAD has no body\)$/);
    assert.equal((await run('/ok', { method: 'HEAD' })).status, 'ok');
  });

  test('no more than 1 MiB of the body is read', async () => {
    const big = await run('/big', { bodyMatch: 'MARKER' });
    assert.equal(big.status, 'critical', 'the marker past 1 MiB must not be seen');
    assert.equal((await run('/big', { bodyMatch: '^a+$' })).status, 'ok');

    const closedBefore = server.endlessClosed;
    const endless = await run('/endless', { bodyMatch: 'never there' });
    assert.equal(endless.status, 'critical');
    assert.equal((await run('/endless', { bodyMatch: '^ready' })).status, 'ok');
    // The cut-off connections are closed, not left streaming.
    await waitFor(() => server.endlessClosed === closedBefore + 2, 5000, 'endless responses closed');
  });

  test('latency thresholds: warn, then critical', async () => {
    const warn = await run('/slow?ms=150', { warnLatencyMs: 100, criticalLatencyMs: 60_000 });
    assert.equal(warn.status, 'warn');
    assert.ok((warn.value ?? 0) >= 150);
    assert.match(warn.summary, /\(warn ≥ 100 ms\)$/);
    const critical = await run('/slow?ms=150', { warnLatencyMs: 50, criticalLatencyMs: 100 });
    assert.equal(critical.status, 'critical');
    assert.match(critical.summary, /\(critical ≥ 100 ms\)$/);
  });

  test('no answer before the signal fires is critical; so is a refused connection', async () => {
    const check = createHttpEndpointCheck(
      checkConfig({ type: 'http', name: 'api', url: `${server.url}/hang` }),
      context,
    );
    const outcome = await check.run(AbortSignal.timeout(200));
    assert.equal(outcome.status, 'critical');
    assert.match(outcome.summary, /^GET .*\/hang no response after \d+ ms$/);

    const refused = await createHttpEndpointCheck(
      checkConfig({ type: 'http', name: 'api', url: 'http://127.0.0.1:1/' }),
      context,
    ).run(signal());
    assert.equal(refused.status, 'critical');
    assert.match(refused.summary, /ECONNREFUSED$/);
  });

  test('the summary leaves out the query string and credentials', async () => {
    const url = new URL(`${server.url}/ok?token=s3cret`);
    url.username = 'user';
    url.password = 'hunter2';
    const outcome = await createHttpEndpointCheck(
      checkConfig({ type: 'http', name: 'api', url: url.href }),
      context,
    ).run(signal());
    assert.equal(outcome.status, 'ok');
    assert.doesNotMatch(outcome.summary, /s3cret|hunter2|user/);
  });
});

describe('keep-alive pool', () => {
  test('dead pooled sockets fail the check until dropCaches() resets the pool', async () => {
    const server = await TestHttpServer.start();
    const clock = new FakeClock();
    const context = testContext(clock);
    const registry = new CheckRegistry({ context, random: () => 0.99 });
    try {
      registry.apply([
        checkConfig({
          type: 'http',
          name: 'api',
          url: `${server.url}/ok`,
          intervalMs: 60_000,
          timeoutMs: 500,
          failAfter: 1,
          recoverAfter: 1,
        }),
      ]);
      // Three requests at once leave three idle keep-alive sockets in the shared pool.
      await Promise.all(
        [1, 2, 3].map(
          () =>
            new Promise<void>((resolve, reject) => {
              http
                .get(`${server.url}/slow?ms=50`, { agent: context.httpPool.http }, (res) => {
                  res.resume().once('end', resolve);
                })
                .once('error', reject);
            }),
        ),
      );
      const idle = () => Object.values(context.httpPool.http.freeSockets).flat().length;
      await waitFor(() => idle() === 3, 5000, 'three idle pooled sockets');
      server.stale();

      for (const attempt of [1, 2]) {
        const pending = registry.runNow('api');
        await waitFor(
          () => server.requests.filter((r) => r.stale).length === attempt,
          5000,
          'a stale request',
        );
        clock.advance(500);
        const result = await pending;
        assert.equal(result.status, 'critical', `attempt ${attempt}`);
        assert.match(result.error ?? '', /^VIGIL_CHECK_TIMEOUT: /);
      }
      assert.equal(registry.summary().failing?.[0], 'api');

      const did = registry.dropCaches();
      assert.deepEqual(did, ['http pool: closed 1 pooled connection', 're-running api']);
      const result = await registry.runNow('api');
      assert.equal(result.status, 'ok', result.summary);
      await settle();
      assert.equal(registry.states()[0]?.status, 'ok');
    } finally {
      await registry.stop();
      context.dispose();
      await server.close();
    }
  });
});

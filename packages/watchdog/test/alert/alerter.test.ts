import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createLogger, type Logger } from '@vigil/shared';
import { compileSchema, WatchdogAlertBody } from '@vigil/shared/schemas';
import { paced } from '@vigil/shared/testing';
import { Alerter, type AlertPayload } from '../../src/alert/alerter.ts';

const dir = mkdtempSync('/tmp/vg-alert-');
after(() => rmSync(dir, { recursive: true, force: true }));
const logger = createLogger({ component: 'watchdog', level: 'silent' });
const payload: AlertPayload = {
  source: 'vigil-watchdog',
  kind: 'failed',
  incidentId: '20261123-101512-abcd',
  signal: 'exit',
  detail: '5 restarts within the intensity window',
  host: 'h1',
  at: new Date(0).toISOString(),
};

describe("the watchdog's own alerts", () => {
  test('the webhook is retried until it is accepted', async () => {
    const bodies: unknown[] = [];
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (d) => {
        body += d;
      });
      request.on('end', () => {
        bodies.push(JSON.parse(body));
        response.writeHead(bodies.length < 3 ? 500 : 204).end();
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const alerter = new Alerter({
      webhook: `http://127.0.0.1:${port}/hook`,
      timeoutMs: 2000,
      logger,
      retries: 3,
      delivery: { retryDelayMs: 20, maxRetryDelayMs: 100 },
    });
    alerter.send(payload);
    await alerter.drain(10_000);
    server.close();
    assert.equal(bodies.length, 3);
    assert.deepEqual(bodies[2], payload);
    assert.equal(compileSchema(WatchdogAlertBody)(bodies[2]).ok, true, 'the documented schema');
  });

  test('an unreachable webhook is logged, never thrown', async () => {
    const errors: { fields: Record<string, unknown>; message: string }[] = [];
    const recording = {
      info: () => {},
      error: (fields: Record<string, unknown>, message: string) => errors.push({ fields, message }),
    } as unknown as Logger;
    const alerter = new Alerter({
      webhook: 'http://127.0.0.1:1/hook',
      timeoutMs: 500,
      logger: recording,
      retries: 1,
    });
    assert.doesNotThrow(() => alerter.send(payload));
    await alerter.drain(10_000);
    assert.equal(errors.length, 1);
    assert.equal(errors[0]?.message, 'alert webhook failed after retries');
    assert.equal(errors[0]?.fields.url, 'http://127.0.0.1:1/hook');
  });

  test('the command gets the alert as JSON on stdin, with no shell in between', async () => {
    const out = join(dir, 'alert.json');
    const alerter = new Alerter({
      command: [
        process.execPath,
        '-e',
        `process.stdin.pipe(require('fs').createWriteStream(process.argv[1]))`,
        out,
      ],
      timeoutMs: 5000,
      logger,
    });
    alerter.send({ ...payload, detail: '$(touch /tmp/vigil-pwned); `id`' });
    await alerter.drain(10_000);
    const received = JSON.parse(readFileSync(out, 'utf8')) as AlertPayload;
    assert.equal(received.detail, '$(touch /tmp/vigil-pwned); `id`');
    assert.equal(received.kind, 'failed');
  });

  test('a command that hangs is killed at the timeout', async () => {
    const alerter = new Alerter({ command: ['sleep', '30'], timeoutMs: 200, logger });
    const started = Date.now();
    alerter.send(payload);
    await alerter.drain(5000);
    assert.ok(Date.now() - started < paced(4000));
  });
});

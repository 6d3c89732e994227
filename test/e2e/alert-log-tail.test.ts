// The watchdog's alert carries the agent's last log lines: a crashing agent's last stderr line
// reaches the alert command's stdin, the webhook body and the incident in history.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { compileSchema, WatchdogAlertBody } from '@vigil/shared/schemas';
import { waitFor } from '@vigil/shared/testing';
import { trackFixturePairs } from '../support/fixture-pair.ts';

const pairFor = trackFixturePairs();
const LAST_WORD = `RangeError: the last word before dying ${process.pid}`;

describe('context in every alert', () => {
  const bodies: unknown[] = [];
  const server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk) => {
      text += chunk;
    });
    request.on('end', () => {
      bodies.push(JSON.parse(text));
      response.writeHead(204).end();
    });
  });
  const alerts = join('/tmp', `vg-tail-alerts-${process.pid}.jsonl`);
  after(() => {
    server.close();
    rmSync(alerts, { force: true });
  });

  test("a crashing agent's last stderr line is in the alert command's input, the webhook and the incident", async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    const pair = await pairFor('dies-with-a-last-word', {
      env: { FIXTURE_LAST_WORD: LAST_WORD, FIXTURE_AFTER_MS: '300' },
      log: { tailLines: 5 },
      watchdog: {
        alert: {
          command: [
            process.execPath,
            '-e',
            `process.stdin.pipe(require('fs').createWriteStream(${JSON.stringify(alerts)}, { flags: 'a' }))`,
          ],
          webhook: `http://127.0.0.1:${port}/hook`,
        },
      },
    });
    const incident = await pair
      .waitForIncident((i) => i.signal === 'exit', 20_000, 'the exit incident')
      .catch((error) => {
        throw new Error(`${error.message}\n${pair.output}`);
      });
    await waitFor(
      () => bodies.length > 0 && existsSync(alerts) && readFileSync(alerts, 'utf8').includes('\n'),
      10_000,
      'both alerts delivered',
    );

    const validate = compileSchema(WatchdogAlertBody);
    const commandBody = JSON.parse(readFileSync(alerts, 'utf8').split('\n')[0] ?? '') as WatchdogAlertBody;
    for (const body of [commandBody, bodies[0] as WatchdogAlertBody]) {
      assert.ok(validate(body).ok, JSON.stringify(body));
      assert.equal(body.incidentId, incident.id);
      assert.ok(body.logTail && body.logTail.length <= 5, JSON.stringify(body.logTail));
      assert.ok(body.logTail.includes(LAST_WORD), JSON.stringify(body.logTail));
      assert.ok(
        !body.logTail.some((line) => line.includes('agent output follows')),
        'nothing of the restart',
      );
    }
    const withTail = await pair.waitForIncident(
      (i) => i.id === incident.id && i.logTail !== undefined,
      10_000,
      'the tail in history',
    );
    assert.ok(withTail.logTail?.includes(LAST_WORD));
    assert.ok(withTail.timeline.some((e) => e.kind === 'log-tail'));
  });
});

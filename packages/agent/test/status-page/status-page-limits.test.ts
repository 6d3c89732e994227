// What the status page refuses: names a DNS-rebinding page could use, and a reader that stops
// reading its event stream (dropped before it can grow the agent).
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { StatusPage, send, trustedHost } from '../../src/status-page/status-page.ts';

const dir = mkdtempSync('/tmp/vg-page-');
const page = new StatusPage({
  statusFile: join(dir, 'status.json'),
  historyFile: join(dir, 'history.jsonl'),
});
const server = createServer((req, res) => {
  if (!page.handle(req, res)) res.writeHead(404).end();
});
after(() => {
  page.close();
  server.close();
});

function get(path: string, host: string): Promise<number> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = request({ port, path, headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('status page limits', () => {
  test('only localhost and address literals are served; another name gets 421', async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    assert.equal(await get('/', `127.0.0.1:${port}`), 200);
    assert.equal(await get('/', `localhost:${port}`), 200);
    assert.equal(await get('/status.json', 'attacker.example:80'), 421);
    assert.equal(await get('/history.json', 'rebind.attacker.example'), 421);
    for (const [host, ok] of [
      ['[::1]:9464', true],
      ['10.0.0.5:9464', true],
      ['10.0.0.5', true],
      ['localhost.attacker.example', false],
      ['127.0.0.1.nip.io:9464', false],
      ['', false],
    ] as const) {
      assert.equal(trustedHost(host), ok, host);
    }
    assert.equal(trustedHost(undefined), false);
  });

  test('a stream whose reader stopped reading is destroyed, not buffered without end', () => {
    const writes: string[] = [];
    let destroyed = false;
    const client = {
      writableLength: 0,
      write(text: string) {
        writes.push(text);
        return true;
      },
      destroy() {
        destroyed = true;
      },
    };
    send(client as never, 'event: status\n\n');
    assert.deepEqual(writes, ['event: status\n\n']);
    client.writableLength = 300 * 1024;
    send(client as never, 'event: status\n\n');
    assert.equal(destroyed, true);
    assert.equal(writes.length, 1, 'nothing more queued for it');
  });
});

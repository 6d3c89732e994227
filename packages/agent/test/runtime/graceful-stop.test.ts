// vigil-agent on SIGTERM: in-flight checks are cancelled (their processes too), the lifecycle
// goes through stopping, logs are on disk, and it exits 0 within its stop timeout.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { paced, waitFor } from '@vigil/shared/testing';

const dir = mkdtempSync('/tmp/vg-stop-');
after(() => rmSync(dir, { recursive: true, force: true }));
const AGENT = fileURLToPath(new URL('../../dist/bin/vigil-agent.js', import.meta.url));

function pidsRunning(marker: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(marker)) out.push(Number(entry));
    } catch {
      // gone
    }
  }
  return out;
}

test('SIGTERM: the in-flight check and its process are cancelled, exit 0 within the stop timeout', async () => {
  const marker = `vigil-stop-test-${process.pid}-${Date.now()}`;
  const config = join(dir, 'vigil.json');
  writeFileSync(
    config,
    JSON.stringify({
      agent: {
        metrics: { listen: '127.0.0.1:0' },
        stopTimeoutMs: 2000,
        checks: [
          {
            type: 'command',
            name: 'slow',
            command: [process.execPath, '-e', 'setTimeout(() => {}, 60000)', marker],
            intervalMs: 600_000,
            timeoutMs: 500_000,
          },
        ],
      },
    }),
  );
  const log = join(dir, 'agent.log');
  const { openSync } = await import('node:fs');
  const fd = openSync(log, 'a');
  const agent = spawn(process.execPath, [AGENT], {
    env: {
      PATH: process.env.PATH ?? '',
      VIGIL_HOME: dir,
      VIGIL_CONFIG: config,
      VIGIL_AGENT_SOCKET: join(dir, 'absent.sock'),
    },
    stdio: ['ignore', fd, fd],
  });
  await waitFor(() => pidsRunning(marker).length > 0 || undefined, 10_000, 'the slow check running');
  const started = Date.now();
  agent.kill('SIGTERM');
  const [code] = (await once(agent, 'exit')) as [number | null];
  assert.equal(code, 0);
  assert.ok(Date.now() - started < paced(2000), `stopped in ${Date.now() - started} ms`);
  await waitFor(() => pidsRunning(marker).length === 0 || undefined, 3000, "the check's process gone");
  const lines = readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { msg: string; to?: string });
  // Each transition is logged once, by the lifecycle.
  assert.equal(lines.filter((l) => l.msg === 'agent state' && l.to === 'stopping').length, 1);
  assert.equal(lines.filter((l) => l.msg === 'agent lifecycle').length, 0);
  assert.equal(lines.at(-1)?.msg, 'stopped', 'the last line is on disk');
});

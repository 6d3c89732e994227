// The agent's metrics: scraped over HTTP, checked by promtool (Prometheus's own linter), and
// scraped by a real Prometheus server.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { quietLogger, waitFor } from '@vigil/shared/testing';
import { AgentRuntime } from '../../src/runtime/agent-runtime.ts';

const dir = mkdtempSync('/tmp/vg-metrics-');

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

describe('agent metrics', () => {
  let runtime: AgentRuntime;
  let prometheus: ChildProcess | undefined;

  before(async () => {
    const file = join(dir, 'vigil.yaml');
    writeFileSync(
      file,
      [
        'agent:',
        '  metrics: { listen: "127.0.0.1:0" }',
        '  checks:',
        // Fixed inputs only: a check of the host's real load would make this test depend on the host.
        '    - { type: command, name: passes, command: ["true"], intervalMs: 200, timeoutMs: 150 }',
        '    - { type: command, name: fails, command: ["false"], intervalMs: 200, timeoutMs: 150, failAfter: 1 }',
      ].join('\n'),
    );
    runtime = new AgentRuntime({
      logger: quietLogger(),
      env: { VIGIL_HOME: dir, VIGIL_AGENT_SOCKET: join(dir, 'absent.sock') },
      configFile: file,
    });
    await runtime.start();
    await waitFor(() => runtime.registry.states().every((s) => s.runs > 0), 5000, 'every check ran');
  });
  after(async () => {
    prometheus?.kill('SIGKILL');
    await runtime.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the exposition passes promtool and carries the check, action and process metrics', async () => {
    const text = await (await fetch(`http://${runtime.metricsServer.address}/metrics`)).text();
    const lint = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    assert.equal(lint.error, undefined, 'promtool is installed (.ci/system-packages)');
    assert.equal(lint.status, 0, `promtool: ${lint.stdout}${lint.stderr}`);
    assert.match(text, /^vigil_check_status\{check="passes",type="command"\} 0$/m);
    assert.match(text, /^vigil_check_status\{check="fails",type="command"\} 2$/m);
    assert.match(text, /^vigil_check_runs_total\{check="fails",result="critical"\} \d+$/m);
    assert.match(text, /^vigil_check_duration_seconds_count\{check="passes"\} \d+$/m);
    assert.match(text, /^vigil_agent_event_loop_lag_seconds \d/m);
    assert.match(text, /^vigil_agent_resident_memory_bytes \d+$/m);
    assert.match(text, /^# TYPE vigil_alerts_sent_total counter$/m);
    assert.match(text, /^# TYPE vigil_breaker_state gauge$/m);
    assert.match(text, /^# TYPE vigil_recovery_handler_runs_total counter$/m);
  });

  test('a real Prometheus scrapes it', async () => {
    const port = await freePort();
    const config = join(dir, 'prometheus.yml');
    writeFileSync(
      config,
      `global: { scrape_interval: 1s, evaluation_interval: 1s }\nscrape_configs:\n  - job_name: vigil\n    static_configs: [{ targets: ["${runtime.metricsServer.address}"] }]\n`,
    );
    prometheus = spawn(
      'prometheus',
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${join(dir, 'tsdb')}`,
        `--web.listen-address=127.0.0.1:${port}`,
      ],
      { stdio: 'ignore' },
    );
    let series: { metric: Record<string, string>; value: [number, string] }[] = [];
    const deadline = Date.now() + 20_000;
    while (series.length === 0 && Date.now() < deadline) {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=vigil_check_status`);
        const body = (await response.json()) as { data?: { result?: typeof series } };
        series = body.data?.result ?? [];
      } catch {
        // not up yet
      }
      if (series.length === 0) await new Promise((r) => setTimeout(r, 250));
    }
    const byCheck = Object.fromEntries(series.map((s) => [s.metric.check, s.value[1]]));
    assert.deepEqual(byCheck, { passes: '0', fails: '2' });
    assert.equal(series[0]?.metric.job, 'vigil');
  });
});

// The package rules (DESIGN.md §7) over what processes really load: a running daemon loads
// nothing of the agent, the SDK, the CLI or pino-pretty; a service that imports only
// @vigil/agent-sdk loads no prom-client, execa or ps-list; and no vigil process — the daemon,
// the bundled agent, an SDK service, `vigil status` — loads TypeBox or any file of ajv (their
// validators are generated at build time, with vigil's own helpers in place of ajv's). Each is started with a loader hook that records
// every module it resolves.
import assert from 'node:assert/strict';
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { paced } from '@vigil/shared/testing';
import {
  count,
  describe,
  type ModuleGraph,
  readModuleGraph,
  recordModulesArg,
} from '../support/module-graph/module-graph.ts';
import { FIXTURES, Pair, ROOT, VIGIL_BIN } from '../support/pair.ts';

const WATCHDOG_BIN = join(ROOT, 'packages/watchdog/dist/bin/vigil-watchdog.js');
const AGENT_BIN = join(ROOT, 'packages/agent/dist/bin/vigil-agent.js');

/** What of the schema machinery a process loaded: none of it should be there. */
function schemaCompilers(graph: ModuleGraph): string[] {
  const found = [
    ...(graph.thirdParty.get('@sinclair/typebox') ?? []),
    ...(graph.thirdParty.get('ajv') ?? []),
  ];
  for (const file of graph.vigil.get('shared') ?? []) {
    if (/\/dist\/(schemas|schema\/compile|schema\/literal-union)\.js$/.test(file)) found.push(file);
  }
  return found;
}

let pair: Pair | undefined;
after(async () => {
  await pair?.dispose();
});

test('the daemon and an SDK-only service load only what their packages may', async () => {
  const home = mkdtempSync('/tmp/vg-modules-');
  const daemonFile = join(home, 'daemon-modules.txt');
  const serviceFile = join(home, 'service-modules.txt');
  pair = new Pair({
    home,
    watchdogArgv: [recordModulesArg(daemonFile), WATCHDOG_BIN],
    agent: {
      command: [process.execPath, recordModulesArg(serviceFile), join(FIXTURES, 'sdk-only-service.mjs')],
    },
  });
  await pair.start(paced(10_000));
  await pair.waitForHealthy(paced(15_000));
  // Both views: --json, and the human one, which also reads the agent's last log lines.
  const cliFiles = { json: join(home, 'cli-json-modules.txt'), human: join(home, 'cli-human-modules.txt') };
  for (const [view, file] of Object.entries(cliFiles)) {
    const argv = view === 'json' ? ['status', '--json'] : ['status'];
    const status: SpawnSyncReturns<string> = spawnSync(
      process.execPath,
      [recordModulesArg(file), VIGIL_BIN, ...argv],
      {
        env: pair.env,
        encoding: 'utf8',
        timeout: paced(30_000),
      },
    );
    assert.equal(status.status, 0, `vigil ${argv.join(' ')}: ${status.stderr}`);
  }
  assert.equal(await pair.stop(), 0, pair.output);

  const daemon = readModuleGraph(daemonFile);
  const service = readModuleGraph(serviceFile);
  const report = [
    `daemon: ${count(daemon.vigil)} vigil files [${describe(daemon.vigil)}], ${count(daemon.thirdParty)} third-party files in ${daemon.thirdParty.size} packages [${describe(daemon.thirdParty)}]`,
    `sdk-only service: ${count(service.vigil)} vigil files [${describe(service.vigil)}], ${count(service.thirdParty)} third-party files in ${service.thirdParty.size} packages [${describe(service.thirdParty)}]`,
  ].join('\n');
  process.stdout.write(`${report}\n`);

  assert.ok(daemon.vigil.get('watchdog')?.size, report);
  assert.deepEqual(
    [...daemon.vigil.keys()].filter((p) => p !== 'watchdog' && p !== 'shared'),
    [],
    report,
  );
  for (const forbidden of ['pino-pretty', '@vigil/agent', '@vigil/agent-sdk', '@vigil/cli']) {
    assert.ok(!daemon.thirdParty.has(forbidden), `the daemon loads ${forbidden}\n${report}`);
  }

  assert.ok(service.vigil.get('agent-sdk')?.size, report);
  assert.deepEqual(
    [...service.vigil.keys()].filter((p) => p !== 'agent-sdk' && p !== 'shared' && p !== '(other)'),
    [],
    report,
  );
  for (const forbidden of ['prom-client', 'execa', 'ps-list']) {
    assert.ok(!service.thirdParty.has(forbidden), `an SDK-only service loads ${forbidden}\n${report}`);
  }

  const cli = readModuleGraph(cliFiles.json);
  const human = readModuleGraph(cliFiles.human);
  // A status call is a socket request, a check of the answer and a renderer (the human view adds
  // a read of agent.log's tail): no logger, retry, process spawning or journal reader, and not
  // the whole of @vigil/shared (`vigil status` answers in tens of milliseconds).
  for (const [view, graph] of [
    ['vigil status --json', cli],
    ['vigil status', human],
  ] as const) {
    assert.ok(graph.vigil.get('cli')?.size, `${view}: its modules were recorded: ${describe(graph.vigil)}`);
    for (const forbidden of ['pino', 'p-retry', 'execa', 'yaml']) {
      assert.ok(
        !graph.thirdParty.has(forbidden),
        `${view} loads ${forbidden}: ${describe(graph.thirdParty)}`,
      );
    }
    const whole = [...(graph.vigil.get('shared') ?? [])].filter((file) =>
      file.endsWith('/shared/dist/index.js'),
    );
    assert.deepEqual(whole, [], `${view} loads the whole of @vigil/shared: ${describe(graph.vigil)}`);
  }
  for (const [name, graph] of [
    ['the daemon', daemon],
    ['an SDK-only service', service],
    ['vigil status --json', cli],
    ['vigil status', human],
  ] as const) {
    assert.deepEqual(schemaCompilers(graph), [], `${name} loads a schema compiler\n${report}`);
  }
});

test('the bundled agent loads no schema compiler', async () => {
  const home = mkdtempSync('/tmp/vg-modules-');
  const agentFile = join(home, 'agent-modules.txt');
  pair = new Pair({
    home,
    agent: { command: [process.execPath, recordModulesArg(agentFile), AGENT_BIN] },
  });
  await pair.start(paced(10_000));
  await pair.waitForHealthy(paced(15_000));
  assert.equal(await pair.stop(), 0, pair.output);
  const agent = readModuleGraph(agentFile);
  assert.ok(agent.vigil.get('agent')?.size, describe(agent.vigil));
  assert.deepEqual(
    schemaCompilers(agent),
    [],
    `the bundled agent: ${describe(agent.vigil)}; ${describe(agent.thirdParty)}`,
  );
});

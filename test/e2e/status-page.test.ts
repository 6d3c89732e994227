// The agent's read-only status page in real headless Chromium: the checks, a degraded agent, a
// hang's incident appearing and closing as it is pushed over /events, its timeline opened, and
// every string from the agent or a check shown as text, never run as markup.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { StatusSnapshot } from '@vigil/shared';
import { waitFor } from '@vigil/shared/testing';
import { type Browser, chromium } from 'playwright-core';
import { StatusPage } from '../../packages/agent/src/status-page/status-page.ts';
import { sampleSnapshot } from '../../packages/cli/test/snapshot-fixture.ts';
import { Pair, ROOT } from '../support/pair.ts';

const CHROMIUM = '/usr/bin/chromium';
const HOSTILE = `<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">`;

let browser: Browser;
const cleanups: (() => Promise<void> | void)[] = [];

before(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `the status page test needs Chromium at ${CHROMIUM}: apt-get update && apt-get install -y chromium (.ci/system-packages installs it)`,
    );
  }
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await browser?.close();
});

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The metrics listener's address, from the agent's "metrics served" line. */
function metricsAddress(pair: Pair): string | undefined {
  if (!existsSync(pair.paths.agentLog)) return undefined;
  for (const line of readFileSync(pair.paths.agentLog, 'utf8').split('\n').reverse()) {
    if (!line.includes('"metrics served"')) continue;
    return (JSON.parse(line) as { address?: string }).address;
  }
  return undefined;
}

describe('the status page', () => {
  test('checks, a degraded agent, a hang that opens and closes an incident, its timeline', async () => {
    // A fixed port: the agent started after the hang serves the page where the first one did.
    const port = await freePort();
    const pair = new Pair({
      agent: {
        metrics: { listen: `127.0.0.1:${port}` },
        checks: [
          {
            type: 'command',
            name: 'hostile-output',
            command: ['sh', '-c', `echo '${HOSTILE}'; exit 1`],
            intervalMs: 500,
            timeoutMs: 400,
          },
          { type: 'memory', name: 'memory', intervalMs: 500, timeoutMs: 400 },
        ],
      },
    });
    cleanups.push(() => pair.dispose());
    await pair.start();
    await pair.waitForHealthy();
    await waitFor(() => metricsAddress(pair) === `127.0.0.1:${port}`, 10_000, 'the metrics served');
    const url = `http://127.0.0.1:${port}`;

    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${url}/`);
    await page.locator('tr.check td.name', { hasText: 'hostile-output' }).waitFor({ timeout: 15_000 });
    await page.locator('tr.check td.name', { hasText: 'memory' }).waitFor();
    await page.locator('#live', { hasText: 'live' }).waitFor({ timeout: 10_000 });
    // The check's output is on the page as text; none of it ran.
    // It turns critical after its first failing runs: a change of state rewrites the status file.
    const cell = page
      .locator('tr.check', { hasText: 'hostile-output' })
      .locator('td.summary', { hasText: 'exit 1' });
    await cell.waitFor({ timeout: 15_000 });
    const summary = await cell.textContent();
    assert.ok(summary?.includes(HOSTILE), summary ?? '');
    assert.equal(await page.evaluate('window.__pwned'), undefined);
    assert.equal(await page.locator('img').count(), 0);

    // /status.json is what `vigil status --json` prints.
    const json = (await (await fetch(`${url}/status.json`)).json()) as StatusSnapshot;
    const cli = JSON.parse(pair.cli(['status', '--json']).stdout) as StatusSnapshot;
    assert.deepEqual(Object.keys(json.checks ?? {}).sort(), Object.keys(cli.checks ?? {}).sort());
    assert.equal(json.watchdog.pid, cli.watchdog.pid);
    assert.equal((await fetch(`${url}/status.json`, { method: 'POST' })).status, 405, 'read-only');

    // A degraded agent still serves the page, and the page says so.
    assert.equal(pair.cli(['recover', 'medium']).code, 0);
    await page.locator('#state', { hasText: 'degraded' }).waitFor({ timeout: 15_000 });

    // Every outcome each incident showed, as the pushed updates redraw it.
    // A string, not a function: the test's compiler would wrap a function in helpers the page lacks.
    await page.evaluate(`(() => {
      const seen = (window.__seen = {});
      const note = () => {
        for (const node of document.querySelectorAll('details.incident')) {
          const list = (seen[node.dataset.id] ??= []);
          if (!list.includes(node.dataset.outcome)) list.push(node.dataset.outcome);
        }
      };
      new MutationObserver(note).observe(document.getElementById('incidents'), { childList: true, subtree: true });
    })()`);
    const reconnects: string[] = [];
    await page.exposeFunction('__reconnecting', (text: string) => reconnects.push(text));
    await page.evaluate(`new MutationObserver(() => {
      const text = document.getElementById('live').textContent;
      if (text.startsWith('reconnecting')) window.__reconnecting(text);
    }).observe(document.getElementById('live'), { childList: true, characterData: true, subtree: true })`);
    assert.equal(pair.cli(['chaos', 'hang']).code, 0);
    const closed = page
      .locator('details.incident[data-outcome="restarted"]')
      .filter({ hasText: 'heartbeat-lost' });
    await closed.first().waitFor({ timeout: 30_000 });
    const id = await closed.first().getAttribute('data-id');
    // A hung agent cannot serve its page: the page said so, then its successor pushed the incident.
    const seen = (await page.evaluate('window.__seen')) as Record<string, string[]>;
    assert.equal(seen[id ?? '']?.at(-1), 'restarted', JSON.stringify(seen));
    assert.ok(reconnects.length > 0, 'the page showed it lost the agent while it hung');
    await page.locator('#state', { hasText: 'healthy' }).waitFor({ timeout: 15_000 });

    // Its timeline: the bar of rungs and durations, each entry, the evidence frame.
    const incident = page.locator(`details.incident[data-id="${id}"]`);
    await incident.locator('summary').click();
    await incident.locator('.bar div.k-hard').waitFor();
    const entries = await incident.locator('ol.timeline li').allTextContents();
    assert.ok(
      entries.some((e) => /opened/.test(e)) && entries.some((e) => /closed/.test(e)),
      entries.join('\n'),
    );
    assert.ok(await incident.locator('pre.evidence').isVisible(), 'the evidence frame of the hang');
    assert.ok((await page.locator('#day .mark').count()) >= 1, 'the day strip marks it');

    mkdirSync(join(ROOT, 'test/artifacts'), { recursive: true });
    const shot = join(ROOT, 'test/artifacts/status-page.png');
    // docs/status-page.png is a copy of this artifact, refreshed by hand when the page changes.
    await page.screenshot({ path: shot, fullPage: true });
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('a check named <script>… and hostile incident text are shown as text, never run', async () => {
    const dir = mkdtempSync('/tmp/vg-page-');
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const snapshot = sampleSnapshot(HOSTILE);
    const now = Date.now();
    snapshot.updatedAt = now;
    snapshot.agent.name = HOSTILE;
    snapshot.checks = {
      '<script>window.__pwned=3</script>': {
        type: 'command',
        status: 'critical',
        paused: false,
        summary: HOSTILE,
        since: now - 1000,
        lastRunAt: now - 500,
        lastRunMs: 4,
      },
    };
    const incident = snapshot.incidents[0];
    assert.ok(incident);
    incident.openedAt = now - 5000;
    incident.closedAt = now - 3500;
    const first = incident.timeline[0]?.at ?? 0;
    for (const entry of incident.timeline) entry.at = now - 5000 + (entry.at - first);
    writeFileSync(join(dir, 'status.json'), JSON.stringify(snapshot));
    const statusPage = new StatusPage({
      statusFile: join(dir, 'status.json'),
      historyFile: join(dir, 'history.jsonl'),
    });
    const server = createServer((request, response) => {
      if (!statusPage.handle(request, response)) response.writeHead(404).end();
    }).listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    cleanups.push(() => {
      statusPage.close();
      server.closeAllConnections();
      server.close();
    });
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    const name = page.locator('tr.check td.name');
    await name.waitFor({ timeout: 10_000 });
    assert.equal(await name.textContent(), '<script>window.__pwned=3</script>');
    await page.locator('details.incident summary').click();
    assert.ok((await page.locator('details.incident').textContent())?.includes(HOSTILE));
    assert.ok((await page.locator('#pair').textContent())?.includes(HOSTILE));
    assert.equal(await page.evaluate('window.__pwned'), undefined);
    assert.equal(await page.locator('img').count(), 0);
    assert.equal(await page.evaluate('document.scripts.length'), 1, 'only the page script');
    await page.close();
  });
});

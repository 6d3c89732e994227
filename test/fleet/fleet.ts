/**
 * A fleet on one machine: N vigil pairs (own homes, own agent metrics ports, each watchdog's
 * textfile in its own folder served by its own node_exporter — one per host, as in a real
 * fleet), a real Prometheus scraping all of them through file_sd with the shipped scrape jobs
 * and a time-scaled copy of the shipped rules, a real Alertmanager with the shipped routes and
 * inhibitions, and the webhook receiver the alerts end at.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '@vigil/shared/testing';
import { Pair, VIGIL_BIN } from '../support/pair.ts';
import { pidsWithEnv } from '../support/processes.ts';
import { type Engine, startAlertmanager, startNodeExporter, startPrometheus } from './engines.ts';
import { writeFleetConfigs } from './fleet-configs.ts';
import { freePort } from './free-port.ts';
import { PrometheusApi } from './prometheus-api.ts';
import { WebhookReceiver } from './webhook-receiver.ts';

export const FLEET_ENV = 'fleet';
const MiB = 1024 * 1024;

export interface FleetHost {
  /** The host's `instance` label. */
  name: string;
  pair: Pair;
  /** Its node_exporter, once started. */
  exporter: Engine | undefined;
  metricsAddress: string;
}

export interface CliOutcome {
  code: number | null;
  output: string;
}

/** `vigil ARGS` against a host, without blocking the event loop the receiver runs on. */
export function vigil(host: FleetHost, args: string[], timeoutMs = 30_000): Promise<CliOutcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [VIGIL_BIN, ...args], { env: host.pair.env });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

export class Fleet {
  readonly dir = mkdtempSync('/tmp/vg-fleet-');
  readonly hosts: FleetHost[] = [];
  receiver: WebhookReceiver | undefined;
  prometheus: Engine | undefined;
  alertmanager: Engine | undefined;
  api: PrometheusApi | undefined;
  /** Epoch seconds when the fleet was up, for range queries over the run. */
  startedAtS = 0;
  #stopped = false;

  /** Starts everything; `pairWatchdog` is merged into each pair's watchdog config. */
  async start(count: number, pairWatchdog: Record<string, unknown>): Promise<void> {
    for (let n = 1; n <= count; n++) await this.#startHost(`host-${n}`, pairWatchdog);
    this.receiver = await WebhookReceiver.start();
    // Alertmanager's address must be in Prometheus's config: it starts first, on a config
    // that only needs the receiver.
    const amDir = join(this.dir, 'alertmanager');
    mkdirSync(amDir);
    const provisional = writeFleetConfigs(this.dir, '127.0.0.1:1', this.receiver.url);
    this.alertmanager = await startAlertmanager(provisional.alertmanager, amDir);
    const configs = writeFleetConfigs(this.dir, this.alertmanager.address, this.receiver.url);
    const group = (host: FleetHost, address: string) => ({
      targets: [address],
      labels: { instance: host.name, env: FLEET_ENV },
    });
    writeFileSync(
      configs.targets['vigil-agents.json'] as string,
      JSON.stringify(this.hosts.map((h) => group(h, h.metricsAddress))),
    );
    writeFileSync(
      configs.targets['nodes.json'] as string,
      JSON.stringify(this.hosts.map((h) => group(h, h.exporter?.address as string))),
    );
    this.prometheus = await startPrometheus(configs.prometheus, join(this.dir, 'tsdb'));
    this.api = new PrometheusApi(this.prometheus.url);
    await this.#waitForScrapes();
    this.startedAtS = Date.now() / 1000;
  }

  async #startHost(name: string, watchdog: Record<string, unknown>): Promise<void> {
    const port = await freePort();
    const home = mkdtempSync(join(this.dir, `${name}-`));
    const textfileDir = join(home, 'textfile');
    mkdirSync(textfileDir);
    const pair = new Pair({
      home,
      watchdog: {
        // The harness's 1 s heartbeat timeout is for one pair; ten processes share two cores here.
        heartbeat: { intervalMs: 250, timeoutMs: 2000 },
        metricsTextfile: join(textfileDir, 'vigil.prom'),
        resources: { memory: { maxRssBytes: 1024 * MiB, ceilingRssBytes: 2048 * MiB } },
        ...watchdog,
      },
      agent: {
        metrics: { listen: `127.0.0.1:${port}` },
        faults: { enabled: true },
        checks: [{ type: 'command', name: 'true', command: ['true'], intervalMs: 1000, timeoutMs: 500 }],
      },
    });
    const host: FleetHost = { name, pair, exporter: undefined, metricsAddress: `127.0.0.1:${port}` };
    // Tracked before it starts, so a failed start is still cleaned up.
    this.hosts.push(host);
    await pair.start(20_000);
    await pair.waitForHealthy(20_000);
    host.exporter = await startNodeExporter(name, textfileDir);
  }

  /** Every target healthy, and every host's agent and watchdog series in. */
  async #waitForScrapes(): Promise<void> {
    const api = this.api as PrometheusApi;
    let seen = '';
    await waitFor(
      async () => {
        const targets = await api.activeTargets().catch(() => []);
        seen = targets
          .map((t) => `${t.labels.job}/${t.labels.instance}: ${t.health} ${t.lastError}`)
          .join('\n');
        if (targets.length !== this.hosts.length * 2 || targets.some((t) => t.health !== 'up')) return false;
        const textfiles = await api.query('vigil_watchdog_last_update_timestamp_seconds');
        const agents = await api.query('vigil_agent_start_time_seconds');
        return textfiles.length === this.hosts.length && agents.length === this.hosts.length;
      },
      30_000,
      () => `every target up and scraped:\n${seen}`,
      250,
    );
  }

  host(name: string): FleetHost {
    const host = this.hosts.find((h) => h.name === name);
    if (!host) throw new Error(`no ${name}`);
    return host;
  }

  /** Stops every process this fleet started, each by its own handle, and removes the folder. */
  async stop(): Promise<string[]> {
    if (this.#stopped) return [];
    this.#stopped = true;
    for (const host of this.hosts) await host.exporter?.stop();
    await Promise.all(this.hosts.map((h) => h.pair.stop().catch(() => null)));
    await this.prometheus?.stop();
    await this.alertmanager?.stop();
    await this.receiver?.close();
    const left: string[] = [];
    for (const host of this.hosts) {
      for (const pid of pidsWithEnv('VIGIL_HOME', host.pair.home)) left.push(`${host.name}: pid ${pid}`);
      await host.pair.dispose();
    }
    for (const engine of [this.prometheus, this.alertmanager, ...this.hosts.map((h) => h.exporter)]) {
      if (engine?.running) left.push(`${engine.name}: pid ${engine.pid}`);
    }
    rmSync(this.dir, { recursive: true, force: true });
    return left;
  }
}

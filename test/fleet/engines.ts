/**
 * The monitoring engines of a fleet run, each a real Debian binary on its own loopback port:
 * Prometheus, Alertmanager and one node_exporter per host (its textfile collector only). Each
 * is stopped by the pid this test started, and its last output is kept for a failure message.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { freePort } from './free-port.ts';

export const BINARIES = {
  prometheus: process.env.VIGIL_PROMETHEUS_BIN ?? '/usr/bin/prometheus',
  alertmanager: process.env.VIGIL_ALERTMANAGER_BIN ?? '/usr/bin/prometheus-alertmanager',
  nodeExporter: process.env.VIGIL_NODE_EXPORTER_BIN ?? '/usr/bin/prometheus-node-exporter',
};

export class Engine {
  readonly name: string;
  readonly address: string;
  readonly #child: ChildProcess;
  #output = '';

  private constructor(name: string, address: string, child: ChildProcess) {
    this.name = name;
    this.address = address;
    this.#child = child;
    const keep = (chunk: Buffer) => {
      this.#output = (this.#output + chunk.toString()).slice(-4000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
  }

  /** Spawns `bin` with the args `argsFor(address)` builds and waits until `readyPath` answers 200. */
  static async start(
    name: string,
    bin: string,
    argsFor: (address: string) => string[],
    readyPath: string,
    timeoutMs = 20_000,
  ): Promise<Engine> {
    if (!existsSync(bin)) throw new Error(`${bin} is missing: run .ci/system-packages (as root)`);
    const address = `127.0.0.1:${await freePort()}`;
    const child = spawn(bin, argsFor(address), { stdio: ['ignore', 'pipe', 'pipe'] });
    const engine = new Engine(name, address, child);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`${name} exited (${child.exitCode ?? child.signalCode}):\n${engine.#output}`);
      }
      try {
        if ((await fetch(`http://${address}${readyPath}`)).ok) return engine;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        await engine.stop();
        throw new Error(`${name} not ready within ${timeoutMs} ms:\n${engine.#output}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  get url(): string {
    return `http://${this.address}`;
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  get output(): string {
    return this.#output;
  }

  get running(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it has exited. */
  async stop(graceMs = 5000): Promise<void> {
    if (!this.running) return;
    const exited = once(this.#child, 'exit');
    this.#child.kill('SIGTERM');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
}

export function startPrometheus(configFile: string, dataDir: string): Promise<Engine> {
  return Engine.start(
    'prometheus',
    BINARIES.prometheus,
    (address) => [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${dataDir}`,
      `--web.listen-address=${address}`,
      // Firing alerts are re-sent this often (1m by default): on the run's compressed clock.
      '--rules.alert.resend-delay=2s',
      '--log.level=warn',
    ],
    '/-/ready',
  );
}

export function startAlertmanager(configFile: string, dataDir: string): Promise<Engine> {
  return Engine.start(
    'alertmanager',
    BINARIES.alertmanager,
    (address) => [
      `--config.file=${configFile}`,
      `--storage.path=${dataDir}`,
      `--web.listen-address=${address}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    '/-/ready',
  );
}

/** node_exporter with only its textfile collector, reading `textfileDir`: one per host. */
export function startNodeExporter(host: string, textfileDir: string): Promise<Engine> {
  return Engine.start(
    `node_exporter ${host}`,
    BINARIES.nodeExporter,
    (address) => [
      `--web.listen-address=${address}`,
      '--collector.disable-defaults',
      '--collector.textfile',
      `--collector.textfile.directory=${textfileDir}`,
      '--web.disable-exporter-metrics',
      '--log.level=warn',
    ],
    '/metrics',
  );
}

/**
 * A real Prometheus Alertmanager (Debian's prometheus-alertmanager) for one test file: its own
 * loopback port, temp storage and minimal config, clustering off. Stopped in `after`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ALERTMANAGER_BIN = process.env.VIGIL_ALERTMANAGER_BIN ?? '/usr/bin/prometheus-alertmanager';

const CONFIG = `route:
  receiver: blackhole
  group_wait: 1s
receivers:
  - name: blackhole
`;

export class AlertmanagerProcess {
  readonly url: string;
  readonly #child: ChildProcess;
  readonly #dir: string;
  #stderr = '';

  private constructor(url: string, child: ChildProcess, dir: string) {
    this.url = url;
    this.#child = child;
    this.#dir = dir;
    child.stderr?.on('data', (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString()).slice(-4000);
    });
  }

  static async start(readyTimeoutMs = 8000): Promise<AlertmanagerProcess> {
    if (!existsSync(ALERTMANAGER_BIN)) {
      throw new Error(
        `${ALERTMANAGER_BIN} is missing: run .ci/system-packages (as root) to install prometheus-alertmanager`,
      );
    }
    const dir = mkdtempSync(join(tmpdir(), 'vigil-alertmanager-'));
    writeFileSync(join(dir, 'alertmanager.yml'), CONFIG);
    const port = await freePort();
    const child = spawn(
      ALERTMANAGER_BIN,
      [
        `--config.file=${join(dir, 'alertmanager.yml')}`,
        `--storage.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--cluster.listen-address=',
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const am = new AlertmanagerProcess(`http://127.0.0.1:${port}`, child, dir);
    await am.#waitReady(readyTimeoutMs);
    return am;
  }

  async alerts(query = ''): Promise<AlertmanagerAlert[]> {
    const response = await fetch(`${this.url}/api/v2/alerts${query}`);
    return (await response.json()) as AlertmanagerAlert[];
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) {
      const exited = once(this.#child, 'exit');
      this.#child.kill('SIGKILL');
      await exited;
    }
    rmSync(this.#dir, { recursive: true, force: true });
  }

  async #waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.#child.exitCode !== null) break;
      try {
        if ((await fetch(`${this.url}/-/ready`)).ok) return;
      } catch {
        // Not listening yet.
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await this.stop();
    throw new Error(`alertmanager did not become ready within ${timeoutMs} ms:\n${this.#stderr}`);
  }
}

export interface AlertmanagerAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  status: { state: 'active' | 'suppressed' | 'unprocessed' };
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

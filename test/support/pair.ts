/**
 * A real watchdog + agent pair for end-to-end tests: `vigil run` from the built dist in a
 * throwaway VIGIL_HOME, talked to through the operator contract (control socket, CLI, files).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Incident, resolvePaths, type StatusSnapshot, type VigilPaths } from '@vigil/shared';
import { type RequestBody, sendRequest } from '@vigil/shared/client';
import { paced, waitFor } from '@vigil/shared/testing';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const VIGIL_BIN = join(ROOT, 'packages/cli/dist/bin/vigil.js');
export const FIXTURES = join(ROOT, 'test/fixtures');

/** Fast but realistic timings for tests; a test overrides what it is about. */
export const TEST_WATCHDOG_CONFIG = {
  heartbeat: { intervalMs: 100, timeoutMs: 1000 },
  startup: { graceMs: 5000 },
  recovery: { hard: { stopTimeoutMs: 2000 }, probeMs: 5000 },
};

export interface PairOptions {
  /** The config file content (watchdog/agent sections); merged over the test defaults. */
  watchdog?: Record<string, unknown>;
  agent?: Record<string, unknown>;
  /** The config's `log` section (rotation of the log files). */
  log?: Record<string, unknown>;
  /** A fixture under test/fixtures to run as the agent. */
  fixture?: string;
  /** Extra environment for the watchdog (and so the agent). */
  env?: Record<string, string>;
  home?: string;
  /** Run the watchdog (and so the agent) as this user; the home is given to it. */
  user?: { uid: number; gid: number };
  /** node's arguments that run the watchdog; default `vigil run` from the built CLI. */
  watchdogArgv?: string[];
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A minimal environment: variables such as NODE_OPTIONS from the test runner must not leak in. */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    LANG: 'C.UTF-8',
  };
  return { ...env, ...extra };
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const prior = out[key];
    out[key] =
      value &&
      typeof value === 'object' &&
      !Array.isArray(value) &&
      prior &&
      typeof prior === 'object' &&
      !Array.isArray(prior)
        ? deepMerge(prior as Record<string, unknown>, value as Record<string, unknown>)
        : value;
  }
  return out;
}

export class Pair {
  readonly home: string;
  readonly paths: VigilPaths;
  readonly env: Record<string, string>;
  readonly user: { uid: number; gid: number } | undefined;
  watchdog: ChildProcess | undefined;
  readonly #watchdogArgv: string[];
  #output = '';

  constructor(options: PairOptions = {}) {
    this.home = options.home ?? mkdtempSync('/tmp/vg-e2e-');
    mkdirSync(this.home, { recursive: true });
    this.env = cleanEnv({ VIGIL_HOME: this.home, ...options.env });
    this.paths = resolvePaths({ env: this.env });
    const agent: Record<string, unknown> = deepMerge(
      { metrics: { listen: '127.0.0.1:0' }, faults: { enabled: true } },
      options.agent ?? {},
    );
    if (options.fixture) agent.command = [process.execPath, join(FIXTURES, `${options.fixture}.mjs`)];
    const config = {
      watchdog: deepMerge(TEST_WATCHDOG_CONFIG, options.watchdog ?? {}),
      agent,
      ...(options.log ? { log: options.log } : {}),
    };
    writeFileSync(join(this.home, 'vigil.json'), JSON.stringify(config, null, 2));
    this.user = options.user;
    this.#watchdogArgv = options.watchdogArgv ?? [VIGIL_BIN, 'run'];
    if (this.user) {
      chownSync(this.home, this.user.uid, this.user.gid);
      chownSync(join(this.home, 'vigil.json'), this.user.uid, this.user.gid);
    }
  }

  /** Starts `vigil run` and waits until its control socket answers. */
  async start(timeoutMs = paced(10_000)): Promise<this> {
    const child = spawn(process.execPath, this.#watchdogArgv, {
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...this.user,
    });
    this.watchdog = child;
    child.stdout?.on('data', (d) => {
      this.#output += d;
    });
    child.stderr?.on('data', (d) => {
      this.#output += d;
    });
    let up = false;
    const deadline = Date.now() + timeoutMs;
    while (!up) {
      if (child.exitCode !== null)
        throw new Error(`the watchdog exited with ${child.exitCode}:\n${this.#output}`);
      if (Date.now() > deadline)
        throw new Error(`vigil run did not come up in ${timeoutMs} ms:\n${this.#output}`);
      try {
        await sendRequest(this.paths.controlSocket, { op: 'status' }, 500);
        up = true;
      } catch {
        await new Promise((r) => setTimeout(r, 25));
      }
    }
    return this;
  }

  get output(): string {
    return this.#output;
  }

  async request(body: RequestBody, timeoutMs = 5000): Promise<unknown> {
    const response = await sendRequest(this.paths.controlSocket, body, timeoutMs);
    if (!response.ok) throw new Error(`${body.op} refused: ${response.error.message}`);
    return response.data;
  }

  status(): Promise<StatusSnapshot> {
    return this.request({ op: 'status' }) as Promise<StatusSnapshot>;
  }

  history(n = 50): Promise<Incident[]> {
    return this.request({ op: 'history', n }) as Promise<Incident[]>;
  }

  /** Polls status until `predicate` holds; returns that status. */
  async waitForStatus(
    predicate: (s: StatusSnapshot) => boolean,
    timeoutMs: number,
    what: string,
  ): Promise<StatusSnapshot> {
    let last: StatusSnapshot | undefined;
    await waitFor(
      async () => {
        last = await this.status();
        return predicate(last);
      },
      timeoutMs,
      () => `${what}; last status: ${JSON.stringify(last?.agent)} ${JSON.stringify(last?.recovery)}`,
    );
    return last as StatusSnapshot;
  }

  waitForHealthy(timeoutMs = paced(10_000)): Promise<StatusSnapshot> {
    return this.waitForStatus(
      (s) => s.agent.state === 'healthy' && s.agent.pid !== null,
      timeoutMs,
      'agent healthy',
    );
  }

  /** Waits until an incident matching `predicate` is closed; returns it. */
  async waitForIncident(
    predicate: (i: Incident) => boolean,
    timeoutMs: number,
    what: string,
  ): Promise<Incident> {
    let found: Incident | undefined;
    let seen: Incident[] = [];
    await waitFor(
      async () => {
        seen = await this.history();
        found = seen.find((i) => predicate(i) && i.closedAt !== null);
        return found !== undefined;
      },
      timeoutMs,
      () =>
        `${what}; incidents: ${JSON.stringify(seen.map((i) => ({ id: i.id, signal: i.signal, rungs: i.rungs, outcome: i.outcome })))}`,
    );
    return found as Incident;
  }

  /** Runs the `vigil` CLI against this pair. */
  cli(args: string[], extraEnv: Record<string, string> = {}): CliResult {
    const result = spawnSync(process.execPath, [VIGIL_BIN, ...args], {
      env: { ...this.env, ...extraEnv },
      encoding: 'utf8',
      timeout: 30_000,
      ...this.user,
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  agentPidFromFile(): number | null {
    try {
      return Number(readFileSync(this.paths.agentPidFile, 'utf8').split('\n')[0]);
    } catch {
      return null;
    }
  }

  /** SIGTERM and wait for the watchdog to exit (it stops the agent first). */
  async stop(timeoutMs = paced(15_000)): Promise<number | null> {
    const child = this.watchdog;
    if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? null;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const code = await exited;
    clearTimeout(timer);
    return code;
  }

  /** SIGKILL the watchdog only (the agent is left running, as after a crash). */
  async killWatchdog(): Promise<void> {
    const child = this.watchdog;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /** Stops everything and removes the home; for `after` hooks. Kills by pid whatever is left. */
  async dispose(): Promise<void> {
    await this.stop().catch(() => {});
    const pid = this.agentPidFromFile();
    // A test may leave a hostile pid file behind: kill(-1) would signal every process.
    if (pid && Number.isInteger(pid) && pid > 1 && pid !== process.pid) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    rmSync(this.home, { recursive: true, force: true });
  }
}

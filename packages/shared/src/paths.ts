/**
 * Where vigil keeps its files (DESIGN.md §6). Embedded mode puts everything under VIGIL_HOME
 * (default `./.vigil`); under systemd the same names live in the directories systemd creates
 * for the units (RuntimeDirectory, StateDirectory, LogsDirectory) and the config in /etc/vigil.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { LaunchMode } from './protocol/status.js';

export interface VigilPaths {
  readonly mode: LaunchMode;
  /** The VIGIL_HOME directory in embedded mode; null under systemd. */
  readonly home: string | null;
  readonly runDir: string;
  readonly stateDir: string;
  readonly logDir: string;
  readonly agentSocket: string;
  readonly controlSocket: string;
  readonly statusSocket: string;
  readonly statusFile: string;
  readonly agentPidFile: string;
  readonly lockFile: string;
  readonly historyFile: string;
  readonly watchdogLog: string;
  readonly agentLog: string;
  /** node_exporter textfile-collector output. */
  readonly promFile: string;
  /** Node diagnostic reports and stall evidence from the agent. */
  readonly reportDir: string;
  /** The config file that applies when none is given: null when there is none (built-in defaults). */
  readonly configFile: string | null;
  /** Where a config file is looked for when none is named, first match wins (one folder). */
  readonly configCandidates: readonly string[];
}

export interface ResolvePathsOptions {
  mode?: LaunchMode;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export function detectMode(env: NodeJS.ProcessEnv = process.env): LaunchMode {
  return env.VIGIL_MODE === 'systemd' ? 'systemd' : 'embedded';
}

const CONFIG_NAMES = ['vigil.yaml', 'vigil.yml', 'vigil.json'];

function firstExisting(dir: string): string | null {
  for (const name of CONFIG_NAMES) {
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

export function resolvePaths(options: ResolvePathsOptions = {}): VigilPaths {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const mode = options.mode ?? detectMode(env);
  const home = mode === 'embedded' ? resolve(cwd, env.VIGIL_HOME || '.vigil') : null;
  const runDir = home ? join(home, 'run') : (env.RUNTIME_DIRECTORY ?? '/run/vigil');
  const stateDir = home ? join(home, 'state') : (env.STATE_DIRECTORY ?? '/var/lib/vigil');
  const logDir = home ? join(home, 'log') : (env.LOGS_DIRECTORY ?? '/var/log/vigil');
  const configDir = home ?? '/etc/vigil';
  const explicitConfig = env.VIGIL_CONFIG ? resolve(cwd, env.VIGIL_CONFIG) : null;
  return {
    mode,
    home,
    runDir,
    stateDir,
    logDir,
    agentSocket: join(runDir, 'agent.sock'),
    controlSocket: join(runDir, 'control.sock'),
    statusSocket: join(runDir, 'status.sock'),
    statusFile: join(runDir, 'status.json'),
    agentPidFile: join(runDir, 'agent.pid'),
    lockFile: join(runDir, 'watchdog.lock'),
    historyFile: join(stateDir, 'history.jsonl'),
    watchdogLog: join(logDir, 'watchdog.log'),
    agentLog: join(logDir, 'agent.log'),
    promFile: join(stateDir, 'vigil.prom'),
    reportDir: join(stateDir, 'reports'),
    configFile: explicitConfig ?? firstExisting(configDir),
    configCandidates: CONFIG_NAMES.map((name) => join(configDir, name)),
  };
}

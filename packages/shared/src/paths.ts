/**
 * Where vigil keeps its files (the README's "Files and the operator contract"). Embedded mode
 * puts everything under VIGIL_HOME; without it, under the `.vigil` folder of the checkout this
 * copy of vigil runs from, else under the user's state folder — never under the current folder,
 * so every command finds the same pair from anywhere. Under systemd the same names live in the
 * directories systemd creates for the units (RuntimeDirectory, StateDirectory, LogsDirectory)
 * and the config in /etc/vigil.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
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
  /** stdout and stderr of a watchdog started in the background (`vigil start`). */
  readonly watchdogOutput: string;
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
  /** The checkout vigil runs from (its root), or null for none; default: found by `findCheckout`. */
  checkout?: string | null;
}

/**
 * The root of the vigil checkout that `moduleUrl` (default: this file, which sits at
 * `packages/shared/{src,dist}/paths.*`) belongs to, or null when it is not in one — an installed
 * package — or when the checkout is not the user's own: its `.vigil` would be another user's
 * folder, which the watchdog refuses to run in.
 */
export function findCheckout(moduleUrl: string = import.meta.url, uid = process.geteuid?.()): string | null {
  const root = resolve(dirname(fileURLToPath(moduleUrl)), '../../..');
  try {
    if (!existsSync(join(root, 'pnpm-workspace.yaml'))) return null;
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name?: unknown };
    if (manifest.name !== 'vigil') return null;
    return uid === undefined || statSync(root).uid === uid ? root : null;
  } catch {
    return null;
  }
}

let ownCheckout: string | null | undefined;

/**
 * The embedded home when VIGIL_HOME is not set: `<checkout>/.vigil`, else
 * `$XDG_STATE_HOME/vigil`, else `~/.local/state/vigil` (the XDG base directory spec ignores a
 * relative XDG_STATE_HOME).
 */
export function defaultHome(env: NodeJS.ProcessEnv, checkout: string | null): string {
  if (checkout) return join(checkout, '.vigil');
  const state = env.XDG_STATE_HOME;
  if (state && isAbsolute(state)) return join(state, 'vigil');
  return join(env.HOME && isAbsolute(env.HOME) ? env.HOME : homedir(), '.local', 'state', 'vigil');
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
  let home: string | null = null;
  if (mode === 'embedded') {
    if (env.VIGIL_HOME) home = resolve(cwd, env.VIGIL_HOME);
    else {
      if (options.checkout === undefined && ownCheckout === undefined) ownCheckout = findCheckout();
      home = defaultHome(env, options.checkout === undefined ? (ownCheckout ?? null) : options.checkout);
    }
  }
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
    watchdogOutput: join(logDir, 'watchdog.out'),
    agentLog: join(logDir, 'agent.log'),
    promFile: join(stateDir, 'vigil.prom'),
    reportDir: join(stateDir, 'reports'),
    configFile: explicitConfig ?? firstExisting(configDir),
    configCandidates: CONFIG_NAMES.map((name) => join(configDir, name)),
  };
}

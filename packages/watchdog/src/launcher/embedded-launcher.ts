/**
 * Embedded mode: the watchdog spawns the agent with execa, detached into its own process group
 * (so a hard stop can kill the group) and with its stdout and stderr appended straight to
 * agent.log by file descriptor (so the agent outlives a watchdog that dies: no pipe to break).
 * execa's cleanup is off for the same reason: a watchdog crash must not take the agent with it.
 */
import { EventEmitter } from 'node:events';
import { closeSync } from 'node:fs';
import type { Logger } from '@vigil/shared';
import { execa } from 'execa';
import { AgentLogFd } from '../agent-log/agent-log-fd.js';
import { watchdogErrors } from '../errors.js';
import { judgeAdoption } from '../process/adoption.js';
import { killTree, sendSignal, sweepAfterExit } from '../process/kill-tree.js';
import type { AgentPidRecord } from '../process/pid-file.js';
import { isSameProcessAlive, readProcStat } from '../process/proc-stat.js';
import type { AgentExit, AgentLauncher, LaunchedAgent, StopOptions } from './launcher.js';

export interface EmbeddedLauncherOptions {
  command: () => string[];
  environment: () => { env: Record<string, string>; instance: string };
  logFile: string;
  /** Told when agent.log cannot be opened (the agent then starts on /dev/null). */
  logger?: Logger;
  cwd?: string;
  /** How often an adopted agent (not our child) is checked for liveness. */
  adoptedPollMs?: number;
}

export class EmbeddedLauncher implements AgentLauncher {
  readonly kind = 'embedded' as const;
  readonly #options: EmbeddedLauncherOptions;
  readonly #events = new EventEmitter<{ exit: [AgentExit, LaunchedAgent] }>();
  #agent: LaunchedAgent | null = null;
  #exited: Promise<void> | null = null;
  #poll: NodeJS.Timeout | undefined;
  readonly #logFd: AgentLogFd;

  constructor(options: EmbeddedLauncherOptions) {
    this.#options = options;
    this.#logFd = new AgentLogFd(options.logFile, options.logger);
  }

  current(): LaunchedAgent | null {
    return this.#agent;
  }

  onExit(listener: (exit: AgentExit, agent: LaunchedAgent) => void): void {
    this.#events.on('exit', listener);
  }

  async start(): Promise<LaunchedAgent> {
    const [file, ...args] = this.#options.command();
    const { env, instance } = this.#options.environment();
    const fd = this.#logFd.open();
    let subprocess: ReturnType<typeof spawnDetached>;
    try {
      subprocess = spawnDetached(file as string, args, env, fd, this.#options.cwd ?? process.cwd());
    } finally {
      closeSync(fd);
    }
    subprocess.catch(() => {});
    const pid = await new Promise<number>((resolve, reject) => {
      subprocess.once('spawn', () => resolve(subprocess.pid as number));
      subprocess.once('error', (error) =>
        reject(
          watchdogErrors.create(
            'VIGIL_AGENT_START_FAILED',
            `cannot start the agent (${file}): ${error.message}`,
            {
              cause: error,
            },
          ),
        ),
      );
    });
    const agent: LaunchedAgent = {
      pid,
      startTicks: readProcStat(pid)?.startTicks ?? 0,
      startedAt: Date.now(),
      cmdline: [file as string, ...args],
      instance,
      adopted: false,
    };
    this.#agent = agent;
    this.#exited = new Promise((resolve) => {
      subprocess.once('exit', (code, signal) => {
        this.#finish(agent, { pid, code, signal });
        resolve();
      });
    });
    return agent;
  }

  async adoptRunning(
    record: AgentPidRecord | null,
  ): Promise<{ agent: LaunchedAgent | null; reason: string }> {
    const verdict = await judgeAdoption(record);
    if (!verdict.adopt) return { agent: null, reason: verdict.reason };
    return { agent: this.#adopt(verdict.record), reason: 'pid, start time and command line match' };
  }

  #adopt(record: AgentPidRecord): LaunchedAgent {
    const agent: LaunchedAgent = {
      pid: record.pid,
      startTicks: record.startTicks,
      startedAt: record.startedAt,
      cmdline: record.cmdline,
      instance: record.instance,
      adopted: true,
    };
    this.#agent = agent;
    // Not our child: no exit event will come, so watch /proc (the start time guards against reuse).
    this.#exited = new Promise((resolve) => {
      this.#poll = setInterval(() => {
        if (isSameProcessAlive(agent.pid, agent.startTicks)) return;
        clearInterval(this.#poll);
        this.#finish(agent, { pid: agent.pid, code: null, signal: null });
        resolve();
      }, this.#options.adoptedPollMs ?? 100);
    });
    return agent;
  }

  #finish(agent: LaunchedAgent, exit: AgentExit): void {
    if (this.#agent === agent) this.#agent = null;
    this.#events.emit('exit', exit, agent);
  }

  signal(signal: NodeJS.Signals): boolean {
    return this.#agent ? sendSignal(this.#agent.pid, signal) : false;
  }

  async stop(options: StopOptions) {
    const agent = this.#agent;
    if (!agent) return { how: 'already-exited' as const, killed: [], survivors: [] };
    const exited = this.#exited;
    return killTree({
      pid: agent.pid,
      instance: agent.instance,
      graceMs: options.graceMs,
      waitForExit: async (ms) => {
        if (!exited) return true;
        let timer: NodeJS.Timeout | undefined;
        const timedOut = new Promise<false>((resolve) => {
          timer = setTimeout(() => resolve(false), ms);
        });
        const done = await Promise.race([exited.then(() => true as const), timedOut]);
        clearTimeout(timer);
        return done;
      },
    });
  }

  sweep(exited: LaunchedAgent) {
    return sweepAfterExit(exited.pid, exited.instance);
  }

  close(): void {
    clearInterval(this.#poll);
  }
}

function spawnDetached(file: string, args: string[], env: Record<string, string>, fd: number, cwd: string) {
  // execa's types list only fds 3-9, but any open fd is handed to spawn as it is; a {file}
  // target would instead be piped through this process and break when the watchdog dies.
  const logFd = fd as 3;
  return execa(file, args, {
    env,
    extendEnv: false,
    cwd,
    stdin: 'ignore',
    stdout: logFd,
    stderr: logFd,
    detached: true,
    cleanup: false,
    reject: false,
    buffer: false,
  });
}

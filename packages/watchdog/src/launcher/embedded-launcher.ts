/**
 * Embedded mode: the watchdog spawns the agent, detached into its own process group
 * (so a hard stop can kill the group) and with its stdout and stderr appended straight to
 * agent.log by file descriptor (so the agent outlives a watchdog that dies: no pipe to break).
 * Nothing ties the agent to the watchdog for the same reason: a watchdog crash must not take it along.
 * The agent is made a child subreaper on the way (process/subreaper-shim.ts), so what its
 * descendants orphan stays in its tree, and that tree is tracked while it runs.
 */
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { accessSync, closeSync, constants, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Logger } from '@vigil/shared';
import { AgentLogFd } from '../agent-log/agent-log-fd.js';
import { watchdogErrors } from '../errors.js';
import { judgeAdoption } from '../process/adoption.js';
import { DescendantTracker } from '../process/descendant-tracker.js';
import { instanceEntry } from '../process/descendants.js';
import { killTree, sweepAfterExit } from '../process/kill-tree.js';
import type { AgentPidRecord } from '../process/pid-file.js';
import { isSameProcessAlive, readProcStat } from '../process/proc-stat.js';
import { guardedSignal, type SignalVerdict } from '../process/signal-guard.js';
import { probeSubreaper, type SubreaperSupport, wrapWithSubreaper } from '../process/subreaper-shim.js';
import type { AgentExit, AgentLauncher, LaunchedAgent, LauncherNotice, StopOptions } from './launcher.js';

export interface EmbeddedLauncherOptions {
  command: () => string[];
  environment: () => { env: Record<string, string>; instance: string };
  logFile: string;
  /** Told when agent.log cannot be opened (the agent then starts on /dev/null). */
  logger?: Logger;
  cwd?: string;
  /** How often an adopted agent (not our child) is checked for liveness. */
  adoptedPollMs?: number;
  /** Whether the subreaper shim works here (probed once; tests force the fallback). */
  probeSubreaper?: () => Promise<SubreaperSupport>;
}

export class EmbeddedLauncher implements AgentLauncher {
  readonly kind = 'embedded' as const;
  readonly #options: EmbeddedLauncherOptions;
  readonly #events = new EventEmitter<{ exit: [AgentExit, LaunchedAgent]; notice: [LauncherNotice] }>();
  readonly #trackers = new Map<LaunchedAgent, DescendantTracker>();
  #agent: LaunchedAgent | null = null;
  #exited: Promise<void> | null = null;
  #poll: NodeJS.Timeout | undefined;
  readonly #logFd: AgentLogFd;
  #subreaper: Promise<SubreaperSupport> | undefined;

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

  onNotice(listener: (notice: LauncherNotice) => void): void {
    this.#events.on('notice', listener);
  }

  #notice(level: LauncherNotice['level'], fields: Record<string, unknown>, message: string): void {
    this.#events.emit('notice', { level, fields, message });
  }

  /** Probed once per watchdog; a fallback is said once, when it is found. */
  #subreaperSupport(): Promise<SubreaperSupport> {
    this.#subreaper ??= (this.#options.probeSubreaper ?? probeSubreaper)().then((support) => {
      if (!support.ok) {
        this.#notice(
          'warn',
          { reason: support.reason },
          'the agent cannot be made a child subreaper: a descendant that daemonizes is found only while the watchdog tracks it',
        );
      }
      return support;
    });
    return this.#subreaper;
  }

  async start(): Promise<LaunchedAgent> {
    const [file, ...args] = this.#options.command();
    const { env, instance } = this.#options.environment();
    const cwd = this.#options.cwd ?? process.cwd();
    // Behind the shim a missing command would only show as an early exit: say it here instead.
    if (!isRunnable(file as string, env.PATH, cwd)) {
      throw watchdogErrors.create(
        'VIGIL_AGENT_START_FAILED',
        `cannot start the agent (${file}): not found, or not executable`,
      );
    }
    const support = await this.#subreaperSupport();
    const [spawnFile, ...spawnArgs] = support.ok
      ? wrapWithSubreaper(support, [file as string, ...args])
      : [file as string, ...args];
    const fd = this.#logFd.open();
    let subprocess: ReturnType<typeof spawnDetached>;
    try {
      subprocess = spawnDetached(spawnFile as string, spawnArgs, env, fd, cwd);
    } finally {
      closeSync(fd);
    }
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
    // The shim execs the agent in the same process: its cmdline is the agent's command again.
    const agent: LaunchedAgent = {
      pid,
      startTicks: readProcStat(pid)?.startTicks ?? 0,
      startedAt: Date.now(),
      cmdline: [file as string, ...args],
      instance,
      adopted: false,
    };
    this.#agent = agent;
    this.#track(agent);
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
    return {
      agent: this.#adopt(verdict.record),
      reason: 'pid, start time, command line and instance token match',
    };
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
    this.#track(agent);
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

  #track(agent: LaunchedAgent): void {
    const tracker = new DescendantTracker(agent, {
      onChange: (pids) =>
        this.#notice(
          'debug',
          { agentPid: agent.pid, tracked: pids.slice(0, 64) },
          'tracking the agent descendants',
        ),
    });
    this.#trackers.set(agent, tracker.start());
  }

  #finish(agent: LaunchedAgent, exit: AgentExit): void {
    // The tracker stops looking but keeps what it saw, for the sweep.
    this.#trackers.get(agent)?.stop();
    if (this.#agent === agent) this.#agent = null;
    this.#events.emit('exit', exit, agent);
  }

  signal(signal: NodeJS.Signals): SignalVerdict {
    const agent = this.#agent;
    if (!agent) return { outcome: 'gone', reason: 'no agent is running' };
    return guardedSignal(
      { pid: agent.pid, startTicks: agent.startTicks, proof: instanceEntry(agent.instance) },
      signal,
    );
  }

  async stop(options: StopOptions) {
    const agent = this.#agent;
    if (!agent) return { how: 'already-exited' as const, killed: [], survivors: [] };
    const exited = this.#exited;
    const tracker = this.#trackers.get(agent);
    tracker?.refresh();
    return killTree({
      root: agent,
      instance: agent.instance,
      graceMs: options.graceMs,
      tracked: tracker?.members() ?? [],
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

  rideWakeup(withinMs: number): void {
    const agent = this.#agent;
    if (agent) this.#trackers.get(agent)?.rideIfDueWithin(withinMs);
  }

  sweep(exited: LaunchedAgent) {
    const tracked = this.#trackers.get(exited)?.members() ?? [];
    this.#trackers.delete(exited);
    return sweepAfterExit({ root: exited, instance: exited.instance, tracked });
  }

  close(): void {
    clearInterval(this.#poll);
    for (const tracker of this.#trackers.values()) tracker.stop();
  }
}

/** Whether `file` names an executable, as spawning it would find it (PATH when it has no slash). */
function isRunnable(file: string, path: string | undefined, cwd: string): boolean {
  const candidates = file.includes('/')
    ? [resolve(cwd, file)]
    : // execvp's own default when there is no PATH at all.
      (path ?? '/bin:/usr/bin')
        .split(':')
        .filter(Boolean)
        .map((dir) => join(resolve(cwd, dir), file));
  return candidates.some((candidate) => {
    try {
      accessSync(candidate, constants.X_OK);
      return statSync(candidate).isFile();
    } catch {
      return false;
    }
  });
}

/**
 * node's own spawn, not execa: the daemon's one detached spawn needs none of execa's features,
 * and execa costs the watchdog about 8 MB of RSS. stdout and stderr are the log file's fd itself
 * (a pipe through this process would break when the watchdog dies).
 */
function spawnDetached(file: string, args: string[], env: Record<string, string>, fd: number, cwd: string) {
  return spawn(file, args, { env, cwd, stdio: ['ignore', fd, fd], detached: true });
}

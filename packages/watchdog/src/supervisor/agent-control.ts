/**
 * The `start` and `stop` effects: the launcher, the pid file, the evidence before a hard kill,
 * and what a new agent resets. Both are asynchronous and answer with an event (`started` or
 * `start-failed`, `stopped`). A stop waits for a start still in flight, so a no-hello during a
 * slow start never leaves the agent that start brings up running beside the next one.
 */
import {
  type Clock,
  type Evidence,
  ensureDir,
  type IncidentEvent,
  type Logger,
  type VigilPaths,
} from '@vigil/shared';
import type { VigilConfig } from '@vigil/shared/config';
import type { ResourceSampler } from '../detect/resource-sampler.js';
import type { HeartbeatServer } from '../heartbeat/heartbeat-server.js';
import type { LadderEvent, StopRequest } from '../ladder/ladder-events.js';
import type { AgentLauncher, LaunchedAgent } from '../launcher/launcher.js';
import type { KillTreeOutcome } from '../process/kill-tree.js';
import { removePidFile, writePidFile } from '../process/pid-file.js';
import { collectEvidence } from '../recovery/evidence.js';
import { type AgentFacts, forNewAgent } from './agent-facts.js';

export interface AgentControlOptions {
  launcher: AgentLauncher;
  paths: VigilPaths;
  config: VigilConfig;
  clock: Clock;
  logger: Logger;
  facts: AgentFacts;
  heartbeats: HeartbeatServer;
  sampler: ResourceSampler;
  /** A new agent: the detectors start afresh (and the sampler watches it, when limits are set). */
  onNewAgent(agent: LaunchedAgent): void;
  /** The agent is gone or being stopped: the heartbeat monitor and the sampler stop. */
  onAgentGone(): void;
  /** Before a start: the sockets are there (a deleted run folder is recreated). */
  beforeStart(): Promise<void>;
  post(event: LadderEvent): void;
  record(event: IncidentEvent): void;
  runDirMode: number;
}

/** How long to wait between tries at writing a pid file on a full disk. */
const PID_RETRY_MS = 2000;
const DISK_FULL = new Set(['ENOSPC', 'EDQUOT']);

export class AgentControl {
  readonly #o: AgentControlOptions;
  #inFlight: Promise<unknown> = Promise.resolve();
  /** The agent whose pid file is not written yet (a full disk): retried until it is. */
  #unrecorded: LaunchedAgent | null = null;
  #pidRetry: NodeJS.Timeout | undefined;
  #discarded: LaunchedAgent | null = null;

  constructor(options: AgentControlOptions) {
    this.#o = options;
  }

  /** Resolves once no start or stop is in flight. */
  idle(): Promise<void> {
    return this.#inFlight.then(
      () => undefined,
      () => undefined,
    );
  }

  /** An agent this watchdog started but could not yet record in agent.pid, if any. */
  get unrecorded(): LaunchedAgent | null {
    return this.#unrecorded;
  }

  start(): void {
    const work = this.#start();
    this.#inFlight = work;
  }

  stop(request: StopRequest): void {
    const work = this.idle().then(() => this.#stop(request));
    this.#inFlight = work;
  }

  /** A new agent adopted or handed over (systemd): recorded and watched like one started here. */
  adopt(agent: LaunchedAgent): void {
    const problem = this.#record(agent);
    if (problem)
      this.#o.logger.error({ agentPid: agent.pid, err: problem.message }, 'cannot write the pid file');
    forNewAgent(this.#o.facts);
    this.#o.onNewAgent(agent);
  }

  close(): void {
    clearTimeout(this.#pidRetry);
  }

  async #start(): Promise<void> {
    const { launcher, logger, post } = this.#o;
    let agent: LaunchedAgent;
    try {
      await this.#o.beforeStart();
      agent = await launcher.start();
    } catch (error) {
      logger.error({ err: (error as Error).message }, 'agent could not be started');
      post({ type: 'start-failed', detail: (error as Error).message });
      return;
    }
    const problem = this.#record(agent);
    if (problem) {
      // Not a full disk (retried) but a pid file that can never be written here (a folder in
      // the way, no permission): an agent the next watchdog cannot find must not run.
      logger.error(
        { agentPid: agent.pid, err: problem.message, pidFile: this.#o.paths.agentPidFile },
        'cannot write the pid file; stopping the agent just started, so none runs unrecorded',
      );
      this.#discarded = agent;
      await launcher.stop({ graceMs: this.#o.config.watchdog.recovery.hard.stopTimeoutMs }).catch(() => {});
      post({
        type: 'start-failed',
        detail: `cannot write ${this.#o.paths.agentPidFile}: ${problem.message}`,
      });
      return;
    }
    logger.info({ agentPid: agent.pid, command: agent.cmdline }, 'agent started');
    forNewAgent(this.#o.facts);
    this.#o.onNewAgent(agent);
    post({ type: 'started', pid: agent.pid });
  }

  /** An agent stopped at once because it could not be recorded: its exit is not an incident. */
  isDiscarded(agent: LaunchedAgent): boolean {
    return this.#discarded === agent;
  }

  /**
   * Writes agent.pid (recreating the run folder first: it may have been removed), so that a
   * watchdog that dies leaves its agent to be adopted, not duplicated. On a full disk the agent
   * is kept (it is the thing being kept alive) and the write is retried until it succeeds; any
   * other failure is returned.
   */
  #record(agent: LaunchedAgent): Error | null {
    const { paths, logger } = this.#o;
    clearTimeout(this.#pidRetry);
    try {
      ensureDir(paths.runDir, { mode: this.#o.runDirMode, report: logger });
      writePidFile(paths.agentPidFile, {
        pid: agent.pid,
        startTicks: agent.startTicks,
        startedAt: agent.startedAt,
        cmdline: agent.cmdline,
        instance: agent.instance,
        watchdogPid: process.pid,
      });
      if (this.#unrecorded) logger.info({ agentPid: agent.pid }, 'the agent is recorded in agent.pid again');
      this.#unrecorded = null;
      return null;
    } catch (error) {
      if (!DISK_FULL.has((error as NodeJS.ErrnoException).code ?? '')) return error as Error;
      if (this.#unrecorded !== agent) {
        logger.error(
          { agentPid: agent.pid, err: (error as Error).message, pidFile: paths.agentPidFile },
          'cannot write the pid file on a full disk; retrying: until then a watchdog that is killed cannot hand this agent over',
        );
      }
      this.#unrecorded = agent;
      this.#pidRetry = setTimeout(() => {
        if (this.#o.launcher.current() === agent) this.#record(agent);
      }, PID_RETRY_MS);
      this.#pidRetry.unref();
      return null;
    }
  }

  async #stop(request: StopRequest): Promise<void> {
    const { launcher, config, paths, clock, logger, facts } = this.#o;
    const started = clock.now();
    const agent = launcher.current();
    this.#o.onAgentGone();
    if (!agent) {
      this.#o.post({ type: 'stopped', how: 'already-exited' });
      return;
    }
    if (request.evidence) {
      const evidence = await collectEvidence({
        pid: agent.pid,
        stallFile: facts.session?.hello.stallFile,
        reportDir: paths.reportDir,
        stateDir: paths.stateDir,
        lastBeatAgoMs: facts.lastBeatAt === null ? 0 : clock.now() - facts.lastBeatAt,
        timeoutMs: config.watchdog.recovery.hard.evidenceTimeoutMs,
        clock,
        sendSignal: (signal) => {
          const verdict = launcher.signal(signal);
          if (verdict.outcome === 'refused') {
            logger.warn({ agentPid: agent.pid, signal, reason: verdict.reason }, 'signal refused');
          }
          return verdict.outcome === 'sent';
        },
      });
      this.#recordEvidence(request.incidentId, evidence);
    }
    const outcome = await launcher.stop({ graceMs: request.graceMs });
    logRefusals(logger, outcome);
    this.#o.heartbeats.dropSession();
    facts.session = undefined;
    removePidFile(paths.agentPidFile);
    this.#unrecorded = null;
    const parts = [`${outcome.how} after ${Math.round(clock.now() - started)} ms`];
    if (outcome.killed.length) parts.push(`${outcome.killed.length} other process(es) of the agent killed`);
    if (outcome.survivors.length) {
      parts.push(`${outcome.survivors.length} survived: ${outcome.survivors.map((p) => p.pid).join(', ')}`);
      logger.error({ survivors: outcome.survivors }, 'processes of the agent survived the hard stop');
    }
    logger.warn(
      { agentPid: agent.pid, how: outcome.how, killed: outcome.killed.length },
      'agent stopped (hard)',
    );
    this.#o.post({ type: 'stopped', how: outcome.how, detail: parts.slice(1).join('; ') || undefined });
  }

  #recordEvidence(incidentId: string | null, evidence: Evidence): void {
    if (incidentId) {
      this.#o.record({
        v: 1,
        incidentId,
        at: this.#o.clock.wallNow(),
        kind: 'evidence',
        evidence,
        detail: evidence.stack?.[0] ?? evidence.note,
      });
    }
    this.#o.logger.warn({ incidentId, evidence }, 'evidence before the hard stop');
  }
}

/** Signals the guard refused, said once per stop or sweep. */
export function logRefusals(logger: Logger, outcome: KillTreeOutcome): void {
  if (outcome.refused?.length) logger.warn({ refused: outcome.refused }, 'signals refused');
}

/**
 * The watchdog's one dispatcher. Everything that happens — the launcher's exits, the heartbeat
 * server's hellos and heartbeats, detector signals, timers, operator requests — is turned into an
 * event for the recovery ladder, one at a time through a queue (so an effect that produces an
 * event never re-enters the ladder mid-transition). The ladder's effects come back through the
 * ports implemented here: start, stop (with evidence), send a command, record, alert.
 */
import {
  type Clock,
  type ConfigOrigin,
  type ConfigReport,
  type ControlRequest,
  type Evidence,
  ensureDir,
  type HeartbeatMessage,
  type IncidentEvent,
  type Logger,
  PROTOCOL_VERSION,
  type StatusSnapshot,
  systemClock,
  type VigilConfig,
  type VigilPaths,
} from '@vigil/shared';
import { AgentLogRotator } from '../agent-log/rotate-agent-log.js';
import { Alerter } from '../alert/alerter.js';
import { ControlServer } from '../control/control-server.js';
import { CpuDetector } from '../detect/cpu-detector.js';
import type { DetectorEvent } from '../detect/detector-event.js';
import { HeartbeatMonitor } from '../detect/heartbeat-monitor.js';
import { MemoryDetector } from '../detect/memory-detector.js';
import { measure, ResourceSampler } from '../detect/resource-sampler.js';
import { SelfReportDetector } from '../detect/self-report.js';
import { watchdogErrors } from '../errors.js';
import { type AgentSession, HeartbeatServer } from '../heartbeat/heartbeat-server.js';
import { LogThrottle } from '../heartbeat/log-throttle.js';
import { HistoryFile } from '../history/history-file.js';
import { newIncidentId } from '../history/incident-id.js';
import {
  type LadderAlert,
  type LadderEvent,
  type LadderPorts,
  RecoveryLadder,
  type StopRequest,
} from '../ladder/recovery-ladder.js';
import { RestartPolicy } from '../ladder/restart-policy.js';
import type { AgentExit, AgentLauncher, LaunchedAgent } from '../launcher/launcher.js';
import { isDescendantOf } from '../process/descendants.js';
import { type KillTreeOutcome, killMarked } from '../process/kill-tree.js';
import { acquireLock, type Lock } from '../process/lock-file.js';
import { readPidFile, removePidFile, writePidFile } from '../process/pid-file.js';
import { readProcStat } from '../process/proc-stat.js';
import { collectEvidence, pruneReports } from '../recovery/evidence.js';
import { WatchdogCounters, writeProm } from '../status/prom-textfile.js';
import { StatusFile } from '../status/status-file.js';
import { buildStatus } from '../status/status-snapshot.js';
import { WATCHDOG_VERSION } from '../version.js';
import { CommandChannel } from './command-channel.js';
import { IncidentLog } from './incident-log.js';
import { OnDemandSample } from './on-demand-sample.js';

/** The most incidents one history request is answered with. */
const HISTORY_MAX = 500;

export interface SupervisorOptions {
  config: VigilConfig;
  configFile: string | null;
  paths: VigilPaths;
  logger: Logger;
  launcher: AgentLauncher;
  clock?: Clock;
  /** Group allowed to read status.sock (the `vigil` group under systemd). */
  statusGid?: number | undefined;
  /** Called with each status snapshot written (sd_notify STATUS= follows it). */
  onStatus?: ((snapshot: StatusSnapshot) => void) | undefined;
  /** Where the running config came from (a refused file and the fallback), for status. */
  configOrigin?: ConfigOrigin | undefined;
}

export class Supervisor {
  readonly #o: SupervisorOptions;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #ladder: RecoveryLadder;
  readonly #policy: RestartPolicy;
  readonly #heartbeats: HeartbeatServer;
  readonly #control: ControlServer;
  readonly #monitor: HeartbeatMonitor;
  readonly #memory: MemoryDetector;
  readonly #cpu: CpuDetector;
  readonly #selfReport: SelfReportDetector;
  readonly #sampler: ResourceSampler;
  readonly #alerter: Alerter;
  readonly #commands: CommandChannel;
  readonly #history: HistoryFile;
  /** Embedded mode: agent.log is the agent's inherited stdout, rotated by copy-then-truncate. */
  readonly #agentLog: AgentLogRotator | undefined;
  #incidents!: IncidentLog;
  #statusFile: StatusFile | undefined;
  readonly #counters = new WatchdogCounters();
  #lock: Lock | undefined;

  readonly #queue: LadderEvent[] = [];
  #draining = false;
  readonly #startedAtWall = Date.now();
  #restarts = 0;
  #session: AgentSession | undefined;
  #lastHeartbeat: HeartbeatMessage | null = null;
  /** The agent's config report: sent in a session's first beat and on change, kept until a new start. */
  #agentConfig: ConfigReport | null = null;
  /** The agent's warnings: sent like its config report, kept until a new start. */
  #agentWarnings: readonly string[] = [];
  #lastBeatAtMono: number | null = null;
  #lastSample: { rssBytes: number; cpuPercent: number } | null = null;
  #pausedUntilWall: number | null = null;
  #stopping: Promise<void> | undefined;
  /** An agent started but not recorded in agent.pid: being stopped, its exit is not an incident. */
  #unrecorded: LaunchedAgent | undefined;
  readonly #onDemand: OnDemandSample;
  readonly #operatorLog: LogThrottle;

  constructor(options: SupervisorOptions) {
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
    this.#log = options.logger;
    this.#operatorLog = new LogThrottle(options.logger);
    this.#onDemand = new OnDemandSample(this.#clock, measure);
    const { watchdog } = options.config;
    const emit = (event: DetectorEvent) => this.#onDetector(event);
    this.#policy = new RestartPolicy({
      initialMs: watchdog.recovery.backoff.initialMs,
      maxMs: watchdog.recovery.backoff.maxMs,
      jitter: watchdog.recovery.backoff.jitter,
      maxRestarts: watchdog.recovery.intensity.maxRestarts,
      withinMs: watchdog.recovery.intensity.withinMs,
    });
    this.#ladder = new RecoveryLadder(
      this.#clock,
      this.#ports(),
      {
        softVerifyMs: watchdog.recovery.soft.verifyMs,
        mediumVerifyMs: watchdog.recovery.medium.verifyMs,
        startupGraceMs: watchdog.startup.graceMs,
        stableAfterMs: watchdog.recovery.backoff.resetAfterMs,
        probeMs: watchdog.recovery.probeMs,
        risingSamples: 2,
        operatorRestarts: watchdog.recovery.operator,
      },
      this.#policy,
    );
    this.#monitor = new HeartbeatMonitor({
      clock: this.#clock,
      timeoutMs: watchdog.heartbeat.timeoutMs,
      pressureEnabled: watchdog.pressure.enabled,
      maxStretch: watchdog.pressure.maxStretch,
      checkEveryMs: Math.min(100, Math.max(10, Math.floor(watchdog.heartbeat.intervalMs / 2))),
      emit,
      onOwnGap: (lateMs) =>
        this.#log.warn(
          { lateMs },
          'the watchdog itself stood still (stopped, frozen or starved); the agent gets a fresh heartbeat deadline',
        ),
    });
    this.#memory = new MemoryDetector({ ...watchdog.resources.memory, emit });
    this.#cpu = new CpuDetector({ ...watchdog.resources.cpu, emit });
    this.#selfReport = new SelfReportDetector({ ...watchdog.selfReport, emit });
    this.#sampler = new ResourceSampler({
      clock: this.#clock,
      intervalMs: watchdog.resources.sampleIntervalMs,
      onError: (error) => this.#log.warn({ err: error.message }, 'a resource sample failed; skipped'),
      onSample: (sample) => {
        this.#lastSample = sample;
        this.#memory.sample(sample.rssBytes);
        this.#cpu.sample(sample.cpuPercent);
      },
    });
    this.#alerter = new Alerter({ ...watchdog.alert, logger: this.#log });
    this.#heartbeats = new HeartbeatServer({
      path: options.paths.agentSocket,
      clock: this.#clock,
      heartbeatIntervalMs: watchdog.heartbeat.intervalMs,
      logger: this.#log,
      admit: (pid) => this.#admit(pid),
      onHello: (session) => this.#onHello(session),
      onHeartbeat: (_session, beat) => this.#onHeartbeat(beat),
      onResult: (_session, result) => {
        if (this.#commands.resolve(result)) return;
        this.#post({
          type: 'result',
          id: result.id,
          ok: result.ok,
          did: result.did,
          durationMs: result.durationMs,
          error: result.error,
        });
      },
      onSessionClosed: (session) => {
        if (this.#session === session) this.#session = undefined;
        this.#log.info({ agentPid: session.hello.pid }, 'agent disconnected from the heartbeat socket');
      },
    });
    this.#commands = new CommandChannel((command) => this.#heartbeats.send(command));
    this.#control = new ControlServer({
      controlPath: options.paths.controlSocket,
      statusPath: options.paths.statusSocket,
      dirMode: options.statusGid === undefined ? 0o700 : 0o750,
      statusGid: options.statusGid,
      logger: this.#log,
      handle: (request) => this.#handle(request),
      clock: this.#clock,
    });
    this.#history = new HistoryFile({
      path: options.paths.historyFile,
      maxBytes: watchdog.history.maxBytes,
      keep: watchdog.history.keep,
      logger: this.#log,
    });
    this.#agentLog =
      options.launcher.kind === 'embedded'
        ? new AgentLogRotator({ path: options.paths.agentLog, ...options.config.log, logger: this.#log })
        : undefined;
    options.launcher.onExit((exit, agent) => this.#onExit(exit, agent));
    options.launcher.onReplaced?.((agent, previous) => this.#onReplaced(agent, previous));
    options.launcher.onNotice?.((notice) => this.#log[notice.level](notice.fields, notice.message));
  }

  // ── lifecycle ─────────────────────────────────────────────────────────────────────────────

  async start(): Promise<void> {
    const { paths, config } = this.#o;
    const report = this.#log;
    // Checked with lstat: a link or another user's folder is refused, never written into.
    ensureDir(paths.runDir, { mode: this.#runDirMode(), report });
    ensureDir(paths.stateDir, { mode: 0o750, report });
    ensureDir(paths.reportDir, { mode: 0o750, report });
    // Before any socket is touched: a second watchdog never removes what the first one holds.
    this.#lock = acquireLock(paths.lockFile, { report });
    // Adoption is decided before the agent socket opens, so a returning agent's hello is
    // admitted at once rather than refused while the watchdog is still looking for it.
    const record = readPidFile(paths.agentPidFile);
    let adopted: LaunchedAgent | null = null;
    try {
      this.#incidents = new IncidentLog({
        file: this.#history,
        path: paths.historyFile,
        keep: config.watchdog.history.keep,
        logger: this.#log,
        clock: this.#clock,
      });
      const found = await this.#o.launcher.adoptRunning(record);
      adopted = found.agent;
      if (adopted) {
        this.#log.info({ agentPid: adopted.pid, reason: found.reason }, 'adopted the running agent');
      } else if (record) {
        this.#log.info({ reason: found.reason }, 'not adopting the recorded agent');
        await this.#killStrays(record.instance);
      }
      await this.#heartbeats.start();
      await this.#control.start();
    } catch (error) {
      this.#heartbeats.close();
      this.#control.close();
      this.#o.launcher.close();
      this.#lock.release();
      throw error;
    }
    const textfile = config.watchdog.metricsTextfile ?? paths.promFile;
    // node_exporter's folder is not vigil's to create; the state folder is.
    const textfileDirMode = textfile === paths.promFile ? 0o750 : undefined;
    let promFailing = false;
    this.#statusFile = new StatusFile({
      path: paths.statusFile,
      build: () => this.status(),
      dirMode: this.#runDirMode(),
      logger: this.#log,
      onWrite: (snapshot) => {
        const error = writeProm(textfile, snapshot, this.#counters, textfileDirMode);
        if (error && !promFailing)
          this.#log.warn({ err: error, path: textfile }, 'could not write the metrics textfile');
        promFailing = error !== null;
        this.#o.onStatus?.(snapshot);
      },
    });
    pruneReports(paths.reportDir);
    this.#agentLog?.start();
    // An adopted agent that died while the sockets were opening is simply started afresh.
    const stillThere = adopted !== null && this.#o.launcher.current() === adopted;
    if (adopted && stillThere) this.#afterLaunch(adopted);
    this.#post({ type: 'begin', adopted: stillThere });
    this.#log.info(
      { version: WATCHDOG_VERSION, mode: paths.mode, home: paths.home, config: this.#o.configFile },
      'watchdog started',
    );
  }

  /** Stops the pair gracefully: the agent first (embedded mode), then the watchdog's own parts. */
  stop(reason: string): Promise<void> {
    this.#stopping ??= this.#stopNow(reason);
    return this.#stopping;
  }

  async #stopNow(reason: string): Promise<void> {
    this.#log.info({ reason }, 'watchdog stopping');
    this.#ladder.shutdown();
    this.#monitor.disarm();
    this.#sampler.stop();
    const agent = this.#o.launcher.current();
    if (agent && this.#o.launcher.kind === 'embedded') {
      const outcome = await this.#o.launcher.stop({
        graceMs: this.#o.config.watchdog.recovery.hard.stopTimeoutMs,
      });
      this.#log.info(
        { agentPid: agent.pid, how: outcome.how, survivors: outcome.survivors.length },
        'agent stopped',
      );
      this.#logRefusals(outcome);
      removePidFile(this.#o.paths.agentPidFile);
    }
    this.#heartbeats.close();
    this.#control.close();
    this.#statusFile?.writeNow();
    this.#statusFile?.close();
    this.#incidents.close();
    this.#history.close();
    this.#o.launcher.close();
    await this.#agentLog?.close();
    await this.#alerter.drain(1000);
    this.#lock?.release();
    this.#log.info('watchdog stopped');
  }

  status(): StatusSnapshot {
    const agent = this.#o.launcher.current();
    return buildStatus({
      nowMono: this.#clock.now(),
      nowWall: this.#clock.wallNow(),
      watchdog: {
        pid: process.pid,
        version: WATCHDOG_VERSION,
        startedAtWall: this.#startedAtWall,
        mode: this.#o.paths.mode,
        home: this.#o.paths.home,
        config: this.#o.configOrigin,
      },
      ladder: this.#ladder,
      agent,
      agentVersion: this.#session?.hello.version ?? null,
      agentName: this.#session?.hello.name ?? null,
      agentConfig: this.#agentConfig,
      agentWarnings: this.#agentWarnings,
      lastHeartbeat: this.#lastHeartbeat,
      lastBeatAtMono: this.#lastBeatAtMono,
      restarts: this.#restarts,
      restartsInWindow: this.#policy.restartsInWindow(this.#clock.now()),
      rssBytes: this.#lastSample?.rssBytes ?? null,
      cpuPercent: this.#lastSample?.cpuPercent ?? null,
      worstHeartbeatGapMs: this.#monitor.worstGapMs || null,
      incidents: this.#incidents.recent(5),
      pausedUntilWall: this.#pausedUntilWall,
    });
  }

  // ── events in ─────────────────────────────────────────────────────────────────────────────

  #post(event: LadderEvent): void {
    this.#queue.push(event);
    if (this.#draining) return;
    this.#draining = true;
    try {
      for (let next = this.#queue.shift(); next; next = this.#queue.shift()) this.#ladder.dispatch(next);
    } finally {
      this.#draining = false;
    }
  }

  #onDetector(event: DetectorEvent): void {
    if (event.type === 'signal')
      this.#log.warn({ signal: event.kind, detail: event.detail }, `detected ${event.kind}`);
    else if (event.type === 'cleared') this.#log.info({ signal: event.kind }, `${event.kind} cleared`);
    this.#post(event);
  }

  #admit(pid: number): string | undefined {
    const agent = this.#o.launcher.current();
    if (agent && agent === this.#unrecorded)
      return 'this agent could not be recorded in agent.pid and is being stopped';
    if (agent && (pid === agent.pid || isDescendantOf(pid, agent.pid))) return undefined;
    // systemd: the unit may have a MainPID we did not start; if `pid` is it, it is adopted and
    // admitted when it says hello again.
    this.#o.launcher
      .recheck?.(pid)
      .catch((error: Error) => this.#log.warn({ err: error.message }, 'could not re-read the agent unit'));
    if (!agent) return 'no agent is running under this watchdog';
    return `pid ${pid} is not the supervised agent (pid ${agent.pid}) or one of its processes`;
  }

  #onHello(session: AgentSession): void {
    this.#session = session;
    this.#lastHeartbeat = null;
    this.#lastBeatAtMono = this.#clock.now();
    this.#selfReport.reset();
    this.#monitor.arm(session.hello.pid);
    this.#log.info({ agentPid: session.hello.pid, version: session.hello.version }, 'agent said hello');
    this.#post({ type: 'hello', pid: session.hello.pid });
  }

  #onHeartbeat(beat: HeartbeatMessage): void {
    this.#lastHeartbeat = beat;
    if (beat.config) this.#agentConfig = beat.config;
    if (beat.warnings) this.#agentWarnings = beat.warnings;
    this.#lastBeatAtMono = this.#clock.now();
    this.#monitor.beat();
    this.#selfReport.heartbeat(beat);
  }

  #onExit(exit: AgentExit, agent: LaunchedAgent): void {
    // What the agent was last seen with goes at once (before any restart); a /proc scan follows.
    void this.#o.launcher.sweep(agent).then((outcome) => {
      this.#logRefusals(outcome);
      if (outcome.survivors.length) {
        this.#log.error({ survivors: outcome.survivors }, 'processes of the exited agent survived SIGKILL');
      }
    });
    this.#monitor.disarm();
    this.#sampler.stop();
    this.#session = undefined;
    const current = readPidFile(this.#o.paths.agentPidFile);
    if (current?.pid === agent.pid) removePidFile(this.#o.paths.agentPidFile);
    const how = exit.signal
      ? `killed by ${exit.signal}`
      : exit.code === null
        ? 'exited'
        : `exited with code ${exit.code}`;
    if (this.#ladder.phase === 'stopping' || this.#stopping) return;
    if (agent === this.#unrecorded) {
      this.#unrecorded = undefined;
      return;
    }
    this.#log.warn({ agentPid: exit.pid, code: exit.code, signal: exit.signal }, `agent ${how}`);
    this.#post({ type: 'exit', detail: `agent pid ${exit.pid} ${how}` });
  }

  /** systemd: the unit was restarted by someone else; its new main process is the agent now. */
  #onReplaced(agent: LaunchedAgent, previous: LaunchedAgent | null): void {
    if (this.#stopping) return;
    this.#monitor.disarm();
    this.#sampler.stop();
    if (this.#session && this.#session.hello.pid !== agent.pid) this.#heartbeats.dropSession();
    writePidFile(this.#o.paths.agentPidFile, {
      pid: agent.pid,
      startTicks: agent.startTicks,
      startedAt: agent.startedAt,
      cmdline: agent.cmdline,
      instance: agent.instance,
      watchdogPid: process.pid,
    });
    const detail = `${this.#o.config.watchdog.systemd.agentUnit} was restarted outside the watchdog (e.g. systemctl restart): agent pid ${previous?.pid ?? 'none'} → ${agent.pid}`;
    this.#log.info({ agentPid: agent.pid, previousPid: previous?.pid ?? null }, detail);
    this.#afterLaunch(agent);
    this.#post({ type: 'replaced', pid: agent.pid, detail });
  }

  // ── effects out ───────────────────────────────────────────────────────────────────────────

  #ports(): LadderPorts {
    return {
      start: () => this.#startAgent(),
      stop: (request) => void this.#hardStop(request),
      sendRecover: (level, id, reason) =>
        this.#heartbeats.send({
          v: PROTOCOL_VERSION,
          type: 'command',
          id,
          cmd: 'recover',
          level,
          reason: reason.slice(0, 500),
        }),
      isResponsive: () => this.#isResponsive(),
      record: (event) => this.#record(event),
      alert: (alert) => this.#alert(alert),
      changed: () => this.#statusFile?.changed(),
      newIncidentId: () => newIncidentId(this.#clock.wallNow()),
    };
  }

  #isResponsive(): boolean {
    const agent = this.#o.launcher.current();
    if (!agent || !this.#session || this.#monitor.lost) return false;
    const state = readProcStat(agent.pid)?.state;
    return state !== undefined && state !== 'T' && state !== 't';
  }

  #startAgent(): void {
    if (this.#ladder.incident) this.#restarts++;
    this.#o.launcher.start().then(
      (agent) => {
        const unrecorded = this.#recordPid(agent);
        if (unrecorded) {
          void this.#stopUnrecorded(agent, unrecorded);
          return;
        }
        this.#log.info({ agentPid: agent.pid, command: agent.cmdline }, 'agent started');
        this.#afterLaunch(agent);
        this.#post({ type: 'started', pid: agent.pid });
      },
      (error: Error) => {
        this.#log.error({ err: error.message }, 'agent could not be started');
        this.#post({ type: 'start-failed', detail: error.message });
      },
    );
  }

  #runDirMode(): number {
    return this.#o.statusGid === undefined ? 0o700 : 0o750;
  }

  /**
   * Writes agent.pid, recreating the run folder first (it may have been removed): an agent
   * the pid file does not name would be started again by the next watchdog. Returns the error
   * when it still cannot be written.
   */
  #recordPid(agent: LaunchedAgent): Error | null {
    const record = {
      pid: agent.pid,
      startTicks: agent.startTicks,
      startedAt: agent.startedAt,
      cmdline: agent.cmdline,
      instance: agent.instance,
      watchdogPid: process.pid,
    };
    let last: Error | null = null;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        ensureDir(this.#o.paths.runDir, { mode: this.#runDirMode(), report: this.#log });
        writePidFile(this.#o.paths.agentPidFile, record);
        return null;
      } catch (error) {
        last = error as Error;
      }
    }
    return last;
  }

  /** An agent that cannot be recorded is stopped at once, and the start counts as failed. */
  async #stopUnrecorded(agent: LaunchedAgent, error: Error): Promise<void> {
    this.#log.error(
      { agentPid: agent.pid, err: error.message, pidFile: this.#o.paths.agentPidFile },
      'cannot write the pid file; stopping the agent just started, so none runs unrecorded',
    );
    this.#unrecorded = agent;
    try {
      await this.#o.launcher.stop({ graceMs: this.#o.config.watchdog.recovery.hard.stopTimeoutMs });
    } catch (stopError) {
      this.#log.error(
        { err: (stopError as Error).message, agentPid: agent.pid },
        'could not stop the unrecorded agent',
      );
    }
    this.#post({
      type: 'start-failed',
      detail: `cannot write ${this.#o.paths.agentPidFile}: ${error.message}`,
    });
  }

  #afterLaunch(agent: LaunchedAgent): void {
    this.#lastSample = null;
    this.#lastHeartbeat = null;
    this.#agentConfig = null;
    this.#agentWarnings = [];
    this.#lastBeatAtMono = null;
    this.#memory.reset();
    this.#cpu.reset();
    if (this.#memory.enabled || this.#cpu.enabled) this.#sampler.watch(agent.pid);
  }

  async #hardStop(request: StopRequest): Promise<void> {
    const { launcher, config, paths } = this.#o;
    const started = this.#clock.now();
    const agent = launcher.current();
    this.#monitor.disarm();
    this.#sampler.stop();
    if (!agent) {
      this.#post({ type: 'stopped', how: 'already-exited' });
      return;
    }
    const hard = config.watchdog.recovery.hard;
    if (!request.responsive && request.kind !== 'exit') {
      const evidence = await collectEvidence({
        pid: agent.pid,
        stallFile: this.#session?.hello.stallFile,
        reportDir: paths.reportDir,
        stateDir: paths.stateDir,
        lastBeatAgoMs: this.#lastBeatAtMono === null ? 0 : this.#clock.now() - this.#lastBeatAtMono,
        timeoutMs: hard.evidenceTimeoutMs,
        clock: this.#clock,
        sendSignal: (signal) => {
          const verdict = launcher.signal(signal);
          if (verdict.outcome === 'refused') {
            this.#log.warn({ agentPid: agent.pid, signal, reason: verdict.reason }, 'signal refused');
          }
          return verdict.outcome === 'sent';
        },
      });
      this.#recordEvidence(request.incidentId, evidence);
    }
    // Over the memory ceiling every millisecond of grace is more memory: killed at once, as
    // systemd's MemoryMax does. Otherwise a responsive agent gets its full graceful stop.
    const graceMs =
      request.kind === 'memory-ceiling'
        ? 0
        : request.responsive
          ? hard.stopTimeoutMs
          : hard.unresponsiveStopTimeoutMs;
    const outcome = await launcher.stop({ graceMs });
    this.#logRefusals(outcome);
    this.#heartbeats.dropSession();
    this.#session = undefined;
    removePidFile(paths.agentPidFile);
    const parts = [`${outcome.how} after ${Math.round(this.#clock.now() - started)} ms`];
    if (outcome.killed.length) parts.push(`${outcome.killed.length} other process(es) of the agent killed`);
    if (outcome.survivors.length) {
      parts.push(`${outcome.survivors.length} survived: ${outcome.survivors.map((p) => p.pid).join(', ')}`);
      this.#log.error({ survivors: outcome.survivors }, 'processes of the agent survived the hard stop');
    }
    this.#log.warn(
      { agentPid: agent.pid, how: outcome.how, killed: outcome.killed.length },
      'agent stopped (hard)',
    );
    this.#post({ type: 'stopped', how: outcome.how, detail: parts.slice(1).join('; ') || undefined });
  }

  #recordEvidence(incidentId: string | null, evidence: Evidence): void {
    if (incidentId) {
      this.#record({
        v: 1,
        incidentId,
        at: this.#clock.wallNow(),
        kind: 'evidence',
        evidence,
        detail: evidence.stack?.[0] ?? evidence.note,
      });
    }
    this.#log.warn({ incidentId, evidence }, 'evidence before the hard stop');
  }

  async #killStrays(instance: string): Promise<void> {
    // The token comes from a file: a stray must also name this home's agent socket.
    const outcome = await killMarked({
      instance,
      alsoEntry: `VIGIL_AGENT_SOCKET=${this.#o.paths.agentSocket}`,
    });
    this.#logRefusals(outcome);
    if (outcome.killed.length) {
      this.#log.warn(
        { strays: outcome.killed, survivors: outcome.survivors },
        'killed processes left by an agent that cannot be adopted',
      );
    }
  }

  /** Signals the guard refused, said once per stop or sweep. */
  #logRefusals(outcome: KillTreeOutcome): void {
    if (outcome.refused?.length) this.#log.warn({ refused: outcome.refused }, 'signals refused');
  }

  #record(event: IncidentEvent): void {
    this.#incidents.append(event);
    this.#counters.count(event);
    // The logger has a `pid` of its own (the watchdog's): the agent's is agentPid.
    const { v: _v, incidentId, at: _at, kind, pid, ...rest } = event;
    this.#log.info(
      { incidentId, ...(pid === undefined ? {} : { agentPid: pid }), ...rest },
      `incident ${kind}`,
    );
  }

  #alert(alert: LadderAlert): void {
    const detail = alert.rung ? `${alert.rung}: ${alert.detail}` : alert.detail;
    if (this.#alerter.configured) {
      this.#alerter.send({
        source: 'vigil-watchdog',
        kind: alert.kind,
        incidentId: alert.incidentId,
        signal: alert.signal,
        rung: alert.rung,
        detail: alert.detail,
        host: process.env.HOSTNAME ?? '',
        at: new Date(this.#clock.wallNow()).toISOString(),
      });
      this.#record({ v: 1, incidentId: alert.incidentId, at: this.#clock.wallNow(), kind: 'alert', detail });
    }
    const level = alert.kind === 'failed' ? 'error' : 'warn';
    this.#log[level](
      { incidentId: alert.incidentId, signal: alert.signal, rung: alert.rung },
      `alert: ${detail}`,
    );
  }

  // ── operator requests ─────────────────────────────────────────────────────────────────────

  async #handle(request: ControlRequest): Promise<unknown> {
    switch (request.op) {
      case 'status':
        return this.#liveStatus();
      case 'history':
        // From memory: a request must never make the watchdog read the whole file.
        return this.#incidents.recent(Math.min(request.n ?? 20, HISTORY_MAX));
      case 'recover': {
        const outcome = this.#ladder.operatorRecover(request.level);
        const fields = { rung: request.level, ...outcome };
        // Joins and refusals come as fast as a script can ask: they must not flood the log.
        if (outcome.accepted && !outcome.joined) this.#log.info(fields, 'operator asked for recovery');
        else this.#operatorLog.warn(fields, `operator recovery ${outcome.joined ? 'joined' : 'refused'}`);
        if (!outcome.accepted) throw watchdogErrors.create('VIGIL_OPERATOR_REFUSED', outcome.detail);
        return { ...outcome, incidentId: this.#ladder.incident?.id ?? null };
      }
      case 'restore': {
        const result = await this.#commands.request({ cmd: 'restore' }, 10_000);
        if (!result.ok)
          throw watchdogErrors.create(
            'VIGIL_OPERATOR_REFUSED',
            `restore failed: ${result.error ?? 'no reason given'}`,
          );
        return result;
      }
      case 'pause': {
        this.#ladder.pause(request.forMs);
        this.#pausedUntilWall = request.forMs === undefined ? null : Date.now() + request.forMs;
        this.#log.warn(
          { forMs: request.forMs ?? null },
          'paused by the operator: no recovery actions until resume',
        );
        await this.#tellMaintenance(
          request.forMs === undefined ? 8_640_000_000_000 : Date.now() + request.forMs,
        );
        return { paused: true, until: this.#pausedUntilWall };
      }
      case 'resume':
        this.#ladder.resume();
        this.#pausedUntilWall = null;
        this.#log.warn('resumed by the operator');
        await this.#tellMaintenance(0);
        return { paused: false };
      case 'fault': {
        if (!this.#o.config.agent.faults.enabled) {
          throw watchdogErrors.create(
            'VIGIL_OPERATOR_REFUSED',
            'fault injection is disabled for this agent',
            {
              hint: 'Set agent.faults.enabled: true in the config (for tests and demos only) and restart the pair.',
            },
          );
        }
        const result = await this.#commands.request({ cmd: 'fault', fault: request.fault }, 10_000);
        if (!result.ok)
          throw watchdogErrors.create(
            'VIGIL_OPERATOR_REFUSED',
            `the agent refused the fault: ${result.error ?? ''}`,
          );
        this.#log.warn({ fault: request.fault }, 'fault injected by the operator');
        return result;
      }
    }
  }

  async #tellMaintenance(untilMs: number): Promise<void> {
    try {
      await this.#commands.request({ cmd: 'maintenance', untilMs }, 3000);
    } catch (error) {
      // The agent may be down; the watchdog's own pause stands regardless.
      this.#log.info(
        { err: (error as Error).message },
        'could not tell the agent about the maintenance window',
      );
    }
  }

  async #liveStatus(): Promise<StatusSnapshot> {
    const agent = this.#o.launcher.current();
    // With no sampler running (no limits set), measure on demand, at most once a second.
    if (agent && !(this.#memory.enabled || this.#cpu.enabled)) {
      const sample = await this.#onDemand.get(agent.pid);
      if (sample && this.#o.launcher.current()?.pid === agent.pid) this.#lastSample = sample;
    }
    return this.status();
  }
}

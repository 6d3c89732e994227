/**
 * The watchdog: its parts (compose.ts), the facts it keeps about the agent (agent-facts.ts), and
 * the loop that turns everything that happens into ladder events and carries out the ladder's
 * effects (run-loop.ts, agent-control.ts). What happens here is wiring: a source reports, the
 * facts are updated, an event is posted. Decisions are the ladder's; status is derived.
 */
import {
  type Clock,
  type ConfigOrigin,
  type ControlRequest,
  ensureDir,
  type HeartbeatMessage,
  type IncidentEvent,
  type Logger,
  PROTOCOL_VERSION,
  type ResultMessage,
  type StatusSnapshot,
  systemClock,
  type VigilPaths,
} from '@vigil/shared';
import type { VigilConfig } from '@vigil/shared/config';
import { IncidentLogTail } from '../alert/incident-log-tail.js';
import { handleRequest } from '../control/handle-request.js';
import { type AgentLimits, agentLimits } from '../detect/agent-limits.js';
import type { DetectorEvent } from '../detect/detector-event.js';
import { measure, type ResourceSample } from '../detect/resource-sampler.js';
import type { AgentSession } from '../heartbeat/heartbeat-server.js';
import { newIncidentId } from '../history/incident-id.js';
import type { LadderAlert } from '../ladder/ladder-events.js';
import type { AgentExit, AgentLauncher, LaunchedAgent } from '../launcher/launcher.js';
import { LogThrottle } from '../logging/log-throttle.js';
import { isDescendantOf } from '../process/descendants.js';
import { killMarked } from '../process/kill-tree.js';
import { acquireLock, type Lock } from '../process/lock-file.js';
import { readPidFile, removePidFile } from '../process/pid-file.js';
import { readProcStat } from '../process/proc-stat.js';
import { guardedSignal } from '../process/signal-guard.js';
import { pruneReports } from '../recovery/evidence.js';
import { checksChanged } from '../status/checks-changed.js';
import { writeProm } from '../status/prom-textfile.js';
import { StatusFile } from '../status/status-file.js';
import { buildStatus } from '../status/status-snapshot.js';
import { WATCHDOG_VERSION } from '../version.js';
import { AgentControl, logRefusals } from './agent-control.js';
import { type AgentFacts, freshFacts, type StopFacts } from './agent-facts.js';
import { composeParts, type Parts } from './compose.js';
import { IncidentLog } from './incident-log.js';
import { ladderConfig } from './ladder-config.js';
import { OnDemandSample } from './on-demand-sample.js';
import { RunLoop } from './run-loop.js';

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
  readonly #parts: Parts;
  readonly #facts: AgentFacts = freshFacts();
  readonly #loop: RunLoop;
  readonly #agent: AgentControl;
  readonly #onDemand: OnDemandSample;
  readonly #throttled: LogThrottle;
  readonly #startedAtWall: number;
  readonly #limits: AgentLimits;
  readonly #logTail: IncidentLogTail;
  #incidents: IncidentLog | undefined;
  #statusFile: StatusFile | undefined;
  #lock: Lock | undefined;
  #stopping: Promise<void> | undefined;
  #stopped: StopFacts | undefined;

  constructor(options: SupervisorOptions) {
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
    this.#log = options.logger;
    this.#startedAtWall = this.#clock.wallNow();
    this.#throttled = new LogThrottle(options.logger, 5, 10_000, this.#clock);
    this.#onDemand = new OnDemandSample(this.#clock, measure);
    this.#limits = agentLimits(options.config);
    // Embedded only: under systemd the agent's lines are in the journal, which this loop does not read.
    this.#logTail = new IncidentLogTail(
      options.paths.mode === 'embedded' ? options.paths.agentLog : null,
      options.config.log.tailLines,
      this.#clock,
    );
    this.#parts = composeParts({ ...options, clock: this.#clock, limits: this.#limits }, this.#hooks());
    const parts = this.#parts;
    this.#loop = new RunLoop(this.#clock, ladderConfig(options.config.watchdog), {
      start: () => this.#agent.start(),
      stop: (request) => this.#agent.stop(request),
      send: (level, id, reason) =>
        parts.heartbeats.send({ v: PROTOCOL_VERSION, type: 'command', id, cmd: 'recover', level, reason }),
      record: (event) => this.#record(event),
      alert: (alert) => this.#alert(alert),
      responsive: () => this.#responsive(),
      newIncidentId: () => newIncidentId(this.#clock.wallNow()),
      changed: () => this.#statusFile?.changed(),
    });
    this.#agent = new AgentControl({
      launcher: options.launcher,
      paths: options.paths,
      config: options.config,
      clock: this.#clock,
      logger: this.#log,
      facts: this.#facts,
      heartbeats: parts.heartbeats,
      sampler: parts.sampler,
      onNewAgent: (agent) => this.#watch(agent),
      onAgentGone: () => {
        parts.monitor.disarm();
        parts.sampler.stop();
      },
      beforeStart: () => this.#ensureSockets(),
      post: (event) => this.#loop.post(event),
      record: (event) => this.#record(event),
      runDirMode: this.#runDirMode(),
    });
    options.launcher.onExit((exit, agent) => this.#onExit(exit, agent));
    options.launcher.onReplaced?.((agent, previous) => this.#onReplaced(agent, previous));
    options.launcher.onNotice?.((notice) => this.#log[notice.level](notice.fields, notice.message));
  }

  // ── lifecycle ─────────────────────────────────────────────────────────────────────────────

  async start(): Promise<void> {
    const { paths, config, launcher } = this.#o;
    const parts = this.#parts;
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
        file: parts.history,
        path: paths.historyFile,
        keep: config.watchdog.history.keep,
        logger: this.#log,
        clock: this.#clock,
      });
      const found = await launcher.adoptRunning(record);
      adopted = found.agent;
      if (adopted) {
        this.#log.info({ agentPid: adopted.pid, reason: found.reason }, 'adopted the running agent');
      } else if (record) {
        this.#log.info({ reason: found.reason }, 'not adopting the recorded agent');
        await this.#killStrays(record.instance);
      }
      await parts.heartbeats.start();
      await parts.control.start();
    } catch (error) {
      parts.heartbeats.close();
      parts.control.close();
      launcher.close();
      this.#lock.release();
      throw error;
    }
    this.#statusFile = this.#openStatusFile();
    pruneReports(paths.reportDir);
    parts.agentLog?.start();
    // An adopted agent that died while the sockets were opening is simply started afresh.
    const stillThere = adopted !== null && launcher.current() === adopted;
    if (adopted && stillThere) this.#watch(adopted);
    this.#loop.post({ type: 'begin', adopted: stillThere });
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
    const { launcher, paths, config } = this.#o;
    const parts = this.#parts;
    this.#log.info({ reason }, 'watchdog stopping');
    this.#stopped = { reason, at: this.#clock.wallNow() };
    this.#loop.post({ type: 'shutdown' });
    this.#loop.close();
    parts.monitor.disarm();
    parts.sampler.stop();
    // A start or a hard stop in flight finishes first: the agent it touches is the one to stop.
    await this.#agent.idle();
    const agent = launcher.current();
    if (agent && launcher.kind === 'embedded') {
      const outcome = await launcher.stop({ graceMs: config.watchdog.recovery.hard.stopTimeoutMs });
      this.#log.info(
        { agentPid: agent.pid, how: outcome.how, survivors: outcome.survivors.length },
        'agent stopped',
      );
      logRefusals(this.#log, outcome);
      removePidFile(paths.agentPidFile);
    }
    this.#agent.close();
    parts.heartbeats.close();
    parts.control.close();
    this.#statusFile?.writeNow();
    this.#statusFile?.close();
    this.#incidents?.close();
    parts.history.close();
    launcher.close();
    await parts.agentLog?.close();
    await parts.alerter.drain(1000);
    this.#lock?.release();
    this.#log.info('watchdog stopped');
  }

  /**
   * For a watchdog about to die of a bug: an agent it started but never recorded in agent.pid
   * would be duplicated by the next watchdog, so it goes too (its group, at once).
   */
  killUnrecordedAgent(): void {
    const agent = this.#agent.unrecorded;
    if (agent) guardedSignal({ pid: agent.pid, startTicks: agent.startTicks, group: true }, 'SIGKILL');
  }

  status(): StatusSnapshot {
    const { paths, config, launcher } = this.#o;
    return buildStatus({
      nowMono: this.#clock.now(),
      nowWall: this.#clock.wallNow(),
      watchdog: {
        pid: process.pid,
        version: WATCHDOG_VERSION,
        startedAtWall: this.#startedAtWall,
        mode: paths.mode,
        home: paths.home,
        config: this.#o.configOrigin,
        stopped: this.#stopped,
        limits: this.#limits,
      },
      ladder: this.#loop.state,
      withinMs: config.watchdog.recovery.intensity.withinMs,
      agent: launcher.current(),
      facts: this.#facts,
      worstHeartbeatGapMs: this.#parts.monitor.worstGapMs || null,
      incidents: this.#incidents?.recent(5) ?? [],
    });
  }

  // ── sources: each updates the facts and posts an event ───────────────────────────────────

  #hooks() {
    return {
      detector: (event: DetectorEvent) => this.#onDetector(event),
      ownGap: (lateMs: number) =>
        this.#log.warn(
          { lateMs },
          'the watchdog itself stood still (stopped, frozen or starved); the agent gets a fresh heartbeat deadline',
        ),
      sample: (sample: ResourceSample) => {
        this.#facts.lastSample = sample;
        this.#parts.memory.sample(sample.rssBytes);
        // A starting agent is busy by nature (compiling, its first checks): CPU is judged once it said hello.
        if (this.#facts.session) this.#parts.cpu.sample(sample.cpuPercent, sample);
      },
      admit: (pid: number) => this.#admit(pid),
      hello: (session: AgentSession) => this.#onHello(session),
      heartbeat: (beat: HeartbeatMessage) => this.#onHeartbeat(beat),
      result: (result: ResultMessage) => this.#onResult(result),
      sessionClosed: (session: AgentSession) => {
        if (this.#facts.session === session) this.#facts.session = undefined;
        this.#log.info({ agentPid: session.hello.pid }, 'agent disconnected from the heartbeat socket');
      },
      request: (request: ControlRequest) => this.#handle(request),
      mayHold: () => {
        const { phase, pending } = this.#loop.state;
        return phase === 'running' && pending === null && !this.#parts.commands.waiting;
      },
    };
  }

  #onDetector(event: DetectorEvent): void {
    if (event.type === 'signal')
      this.#log.warn({ signal: event.kind, detail: event.detail }, `detected ${event.kind}`);
    else if (event.type === 'cleared') this.#log.info({ signal: event.kind }, `${event.kind} cleared`);
    this.#loop.post(event);
  }

  #admit(pid: number): string | undefined {
    const agent = this.#o.launcher.current();
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
    const facts = this.#facts;
    facts.session = session;
    facts.lastHeartbeat = null;
    facts.lastBeatAt = this.#clock.now();
    this.#parts.selfReport.reset();
    this.#parts.monitor.arm(session.hello.pid);
    this.#log.info({ agentPid: session.hello.pid, version: session.hello.version }, 'agent said hello');
    this.#loop.post({ type: 'hello', pid: session.hello.pid });
  }

  /** Several times a second: facts only; the ladder hears of heartbeats through the detectors. */
  #onHeartbeat(beat: HeartbeatMessage): void {
    const facts = this.#facts;
    facts.lastHeartbeat = beat;
    if (beat.config) facts.config = beat.config;
    if (beat.warnings) facts.warnings = beat.warnings;
    if (beat.checks) {
      if (checksChanged(facts.checks, beat.checks)) this.#statusFile?.changed();
      facts.checks = beat.checks;
    }
    this.#parts.monitor.beat(beat.mono);
    facts.lastBeatAt = this.#clock.now() - this.#parts.monitor.age();
    this.#parts.selfReport.heartbeat(beat);
  }

  #onResult(result: ResultMessage): void {
    if (this.#parts.commands.resolve(result)) return;
    const { id, ok, did, durationMs, error } = result;
    this.#loop.post({ type: 'result', id, ok, did, durationMs, error });
  }

  #onExit(exit: AgentExit, agent: LaunchedAgent): void {
    // What the agent was last seen with goes at once (before any restart); a /proc scan follows.
    void this.#o.launcher.sweep(agent).then((outcome) => {
      logRefusals(this.#log, outcome);
      if (outcome.survivors.length) {
        this.#log.error({ survivors: outcome.survivors }, 'processes of the exited agent survived SIGKILL');
      }
    });
    this.#parts.monitor.disarm();
    this.#parts.sampler.stop();
    // Its session goes with it: the socket may be resting between looks, so its end would not
    // be read by itself, and the next agent's hello would be refused as a second agent's.
    this.#parts.heartbeats.dropSession();
    this.#facts.session = undefined;
    const current = readPidFile(this.#o.paths.agentPidFile);
    if (current?.pid === agent.pid) removePidFile(this.#o.paths.agentPidFile);
    const how = exit.signal
      ? `killed by ${exit.signal}`
      : exit.code === null
        ? 'exited'
        : `exited with code ${exit.code}`;
    if (this.#loop.state.phase !== 'stopping' && !this.#stopping && !this.#agent.isDiscarded(agent)) {
      this.#log.warn({ agentPid: exit.pid, code: exit.code, signal: exit.signal }, `agent ${how}`);
    }
    if (this.#agent.isDiscarded(agent)) return;
    // The ladder knows whether an exit is news (not while it is stopping the agent itself).
    this.#loop.post({ type: 'exit', detail: `agent pid ${exit.pid} ${how}` });
  }

  /** systemd: the unit was restarted by someone else; its new main process is the agent now. */
  #onReplaced(agent: LaunchedAgent, previous: LaunchedAgent | null): void {
    if (this.#stopping) return;
    const session = this.#facts.session;
    if (session && session.hello.pid !== agent.pid) this.#parts.heartbeats.dropSession();
    this.#agent.adopt(agent);
    const detail = `${this.#o.config.watchdog.systemd.agentUnit} was restarted outside the watchdog (e.g. systemctl restart): agent pid ${previous?.pid ?? 'none'} → ${agent.pid}`;
    this.#log.info({ agentPid: agent.pid, previousPid: previous?.pid ?? null }, detail);
    this.#loop.post({ type: 'replaced', pid: agent.pid, detail });
  }

  // ── effects out ───────────────────────────────────────────────────────────────────────────

  /** A new agent: the detectors start afresh; the sampler watches it when a limit is set. */
  #watch(agent: LaunchedAgent): void {
    const { memory, cpu, sampler, monitor } = this.#parts;
    // Armed at its hello: until then the startup grace watches it.
    monitor.disarm();
    memory.reset();
    cpu.reset();
    if (memory.enabled || cpu.enabled) sampler.watch(agent.pid);
  }

  #responsive(): boolean {
    const agent = this.#o.launcher.current();
    if (!agent || !this.#facts.session || this.#parts.monitor.lost) return false;
    const state = readProcStat(agent.pid)?.state;
    return state !== undefined && state !== 'T' && state !== 't';
  }

  #record(event: IncidentEvent): void {
    this.#incidents?.append(event);
    if (event.kind === 'opened') this.#captureLogTail(event.incidentId, event.at);
    this.#parts.counters.count(event);
    // The logger has a `pid` of its own (the watchdog's): the agent's is agentPid.
    const { v: _v, incidentId, at: _at, kind, pid, ...rest } = event;
    this.#log.info(
      { incidentId, ...(pid === undefined ? {} : { agentPid: pid }), ...rest },
      `incident ${kind}`,
    );
  }

  /** The agent log's last lines before the fault, into the incident's history when read. */
  #captureLogTail(incidentId: string, openedAt: number): void {
    this.#logTail.capture(incidentId, openedAt, (logTail) =>
      this.#record({
        v: 1,
        incidentId,
        at: this.#clock.wallNow(),
        kind: 'log-tail',
        detail: `agent log: the last ${logTail.length} lines before the fault`,
        logTail,
      }),
    );
  }

  #alert(alert: LadderAlert): void {
    const { alerter } = this.#parts;
    const detail = alert.rung ? `${alert.rung}: ${alert.detail}` : alert.detail;
    if (alerter.configured) {
      // The alert waits (a bounded moment) for the log tail the incident's opening began reading.
      const at = new Date(this.#clock.wallNow()).toISOString();
      void this.#logTail.forIncident(alert.incidentId).then((logTail) =>
        alerter.send({
          ...(logTail ? { logTail } : {}),
          source: 'vigil-watchdog',
          kind: alert.kind,
          incidentId: alert.incidentId,
          signal: alert.signal,
          rung: alert.rung,
          detail: alert.detail,
          host: process.env.HOSTNAME ?? '',
          at,
        }),
      );
      this.#record({ v: 1, incidentId: alert.incidentId, at: this.#clock.wallNow(), kind: 'alert', detail });
    }
    const level = alert.kind === 'failed' ? 'error' : 'warn';
    this.#log[level](
      { incidentId: alert.incidentId, signal: alert.signal, rung: alert.rung },
      `alert: ${detail}`,
    );
  }

  async #killStrays(instance: string): Promise<void> {
    // The token comes from a file: a stray must also name this home's agent socket.
    const outcome = await killMarked({
      instance,
      alsoEntry: `VIGIL_AGENT_SOCKET=${this.#o.paths.agentSocket}`,
    });
    logRefusals(this.#log, outcome);
    if (outcome.killed.length) {
      this.#log.warn(
        { strays: outcome.killed, survivors: outcome.survivors },
        'killed processes left by an agent that cannot be adopted',
      );
    }
  }

  /** A run folder removed while running takes the sockets with it: they are opened again. */
  async #ensureSockets(): Promise<void> {
    ensureDir(this.#o.paths.runDir, { mode: this.#runDirMode(), report: this.#log });
    const again = [
      await this.#parts.heartbeats.ensureListening(),
      await this.#parts.control.ensureListening(),
    ];
    if (again.some(Boolean))
      this.#log.warn({ runDir: this.#o.paths.runDir }, 'the sockets were gone; listening again');
  }

  #openStatusFile(): StatusFile {
    const { paths, config } = this.#o;
    const textfile = config.watchdog.metricsTextfile ?? paths.promFile;
    // node_exporter's folder is not vigil's to create; the state folder is.
    const textfileDirMode = textfile === paths.promFile ? 0o750 : undefined;
    let promFailing = false;
    return new StatusFile({
      path: paths.statusFile,
      build: () => this.status(),
      dirMode: this.#runDirMode(),
      logger: this.#log,
      onWrite: (snapshot) => {
        const error = writeProm(textfile, snapshot, this.#parts.counters, textfileDirMode);
        if (error && !promFailing)
          this.#log.warn({ err: error, path: textfile }, 'could not write the metrics textfile');
        promFailing = error !== null;
        this.#o.onStatus?.(snapshot);
        // The periodic write is also when a removed run folder is noticed between agent starts.
        if (!this.#stopping) void this.#ensureSockets().catch(() => {});
      },
    });
  }

  #runDirMode(): number {
    return this.#o.statusGid === undefined ? 0o700 : 0o750;
  }

  // ── operator requests ─────────────────────────────────────────────────────────────────────

  #handle(request: ControlRequest): Promise<unknown> {
    return handleRequest(request, {
      post: (event) => this.#loop.post(event),
      status: () => this.#liveStatus(),
      recentIncidents: (n) => this.#incidents?.recent(n) ?? [],
      commands: this.#parts.commands,
      faultsEnabled: this.#o.config.agent.faults.enabled,
      logger: this.#log,
      throttled: this.#throttled,
      wallNow: () => this.#clock.wallNow(),
    });
  }

  async #liveStatus(): Promise<StatusSnapshot> {
    // Beats may be resting in the socket between looks: read them first, so status is current
    // (a resting socket is read at once; one that is not, in the loop's next turn, which the
    // second check phase comes after).
    this.#parts.heartbeats.flow();
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    const agent = this.#o.launcher.current();
    const { memory, cpu } = this.#parts;
    // With no sampler running (no limits set), measure on demand, at most once a second.
    if (agent && !(memory.enabled || cpu.enabled)) {
      const sample = await this.#onDemand.get(agent.pid);
      if (sample && this.#o.launcher.current()?.pid === agent.pid) this.#facts.lastSample = sample;
    }
    return this.status();
  }
}

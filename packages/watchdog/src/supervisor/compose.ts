/**
 * Builds the watchdog's parts from its config: detectors, the resource sampler, the heartbeat
 * and control servers, the command channel, the history, the alerter and the agent.log rotator.
 * Each part reports through a hook; the supervisor turns those into facts and ladder events.
 */
import type {
  Clock,
  ControlRequest,
  HeartbeatMessage,
  Logger,
  ResultMessage,
  VigilPaths,
} from '@vigil/shared';
import type { VigilConfig } from '@vigil/shared/config';
import { AgentLogRotator } from '../agent-log/rotate-agent-log.js';
import { Alerter } from '../alert/alerter.js';
import { ControlServer } from '../control/control-server.js';
import type { AgentLimits } from '../detect/agent-limits.js';
import { CpuDetector } from '../detect/cpu-detector.js';
import type { DetectorEvent } from '../detect/detector-event.js';
import { HeartbeatMonitor } from '../detect/heartbeat-monitor.js';
import { MemoryDetector } from '../detect/memory-detector.js';
import { type ResourceSample, ResourceSampler } from '../detect/resource-sampler.js';
import { SelfReportDetector } from '../detect/self-report.js';
import { type AgentSession, HeartbeatServer } from '../heartbeat/heartbeat-server.js';
import { HistoryFile } from '../history/history-file.js';
import type { AgentLauncher } from '../launcher/launcher.js';
import { WatchdogCounters } from '../status/prom-textfile.js';
import { CommandChannel } from './command-channel.js';

export interface PartHooks {
  detector(event: DetectorEvent): void;
  ownGap(lateMs: number): void;
  sample(sample: ResourceSample): void;
  admit(pid: number): string | undefined;
  hello(session: AgentSession): void;
  heartbeat(beat: HeartbeatMessage): void;
  result(result: ResultMessage): void;
  sessionClosed(session: AgentSession): void;
  request(request: ControlRequest): Promise<unknown>;
  /** Whether the session may rest between looks: nothing waits for an answer from the agent. */
  mayHold(): boolean;
}

export interface ComposeOptions {
  config: VigilConfig;
  paths: VigilPaths;
  logger: Logger;
  clock: Clock;
  launcher: AgentLauncher;
  statusGid?: number | undefined;
  limits: AgentLimits;
}

export function composeParts(o: ComposeOptions, hooks: PartHooks) {
  const { watchdog } = o.config;
  const log = o.logger;
  const { limits } = o;
  const heartbeats = new HeartbeatServer({
    path: o.paths.agentSocket,
    clock: o.clock,
    heartbeatIntervalMs: watchdog.heartbeat.intervalMs,
    logger: log,
    admit: hooks.admit,
    onHello: hooks.hello,
    onHeartbeat: (_session, beat) => hooks.heartbeat(beat),
    onResult: (_session, result) => hooks.result(result),
    onSessionClosed: hooks.sessionClosed,
  });
  const monitor = new HeartbeatMonitor({
    clock: o.clock,
    timeoutMs: watchdog.heartbeat.timeoutMs,
    pressureEnabled: watchdog.pressure.enabled,
    maxStretch: watchdog.pressure.maxStretch,
    checkEveryMs: Math.min(100, Math.max(10, Math.floor(watchdog.heartbeat.intervalMs / 2))),
    emit: hooks.detector,
    onOwnGap: hooks.ownGap,
    intervalMs: watchdog.heartbeat.intervalMs,
    // The launcher's own chores (the embedded one's descendant walk, every few seconds) due
    // before about the next look are done on this one, so they cost no wakeup of their own.
    onLook: () => o.launcher.rideWakeup?.(watchdog.heartbeat.timeoutMs),
    flow: () => heartbeats.flow(),
    hold: () => heartbeats.hold(),
    mayHold: hooks.mayHold,
  });
  const history = new HistoryFile({
    path: o.paths.historyFile,
    maxBytes: watchdog.history.maxBytes,
    keep: watchdog.history.keep,
    logger: log,
  });
  return {
    monitor,
    memory: new MemoryDetector({ ...limits.memory, emit: hooks.detector }),
    cpu: new CpuDetector({ ...limits.cpu, emit: hooks.detector }),
    selfReport: new SelfReportDetector({ ...watchdog.selfReport, emit: hooks.detector }),
    sampler: new ResourceSampler({
      clock: o.clock,
      intervalMs: watchdog.resources.sampleIntervalMs,
      onError: (error) => log.warn({ err: error.message }, 'a resource sample failed; skipped'),
      onSample: hooks.sample,
      // With limits on the sampler wakes every interval anyway: a heartbeat look due before its
      // next tick is taken on this one (a little early), so looks cost no wakeup of their own.
      onTick: () => monitor.lookIfDueWithin(watchdog.resources.sampleIntervalMs),
    }),
    alerter: new Alerter({ ...watchdog.alert, logger: log }),
    heartbeats,
    commands: new CommandChannel((command) => heartbeats.send(command), o.clock),
    control: new ControlServer({
      controlPath: o.paths.controlSocket,
      statusPath: o.paths.statusSocket,
      dirMode: o.statusGid === undefined ? 0o700 : 0o750,
      statusGid: o.statusGid,
      logger: log,
      handle: hooks.request,
      clock: o.clock,
    }),
    history,
    counters: new WatchdogCounters(),
    /** Embedded mode: agent.log is the agent's inherited stdout, rotated by copy-then-truncate. */
    agentLog:
      o.launcher.kind === 'embedded'
        ? new AgentLogRotator({ path: o.paths.agentLog, ...o.config.log, logger: log })
        : undefined,
  };
}

export type Parts = ReturnType<typeof composeParts>;

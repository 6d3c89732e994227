/**
 * Derives the status object (DESIGN.md §6) from the ladder and the latest facts. Status is
 * computed from state in this one place, never assigned from many.
 */
import type {
  AgentState,
  ConfigOrigin,
  ConfigReport,
  HeartbeatMessage,
  Incident,
  LaunchMode,
  StatusSnapshot,
} from '@vigil/shared';
import type { RecoveryLadder } from '../ladder/recovery-ladder.js';
import type { LaunchedAgent } from '../launcher/launcher.js';

export interface StatusFacts {
  nowMono: number;
  nowWall: number;
  watchdog: {
    pid: number;
    version: string;
    startedAtWall: number;
    mode: LaunchMode;
    home: string | null;
    config?: ConfigOrigin | undefined;
  };
  ladder: RecoveryLadder;
  agent: LaunchedAgent | null;
  agentVersion: string | null;
  agentName: string | null;
  agentConfig: ConfigReport | null;
  agentWarnings?: readonly string[];
  lastHeartbeat: HeartbeatMessage | null;
  /** Monotonic time of the last heartbeat, or null before the first. */
  lastBeatAtMono: number | null;
  restarts: number;
  restartsInWindow: number;
  rssBytes: number | null;
  cpuPercent: number | null;
  worstHeartbeatGapMs: number | null;
  incidents: Incident[];
  pausedUntilWall: number | null;
}

export function agentState(facts: StatusFacts): AgentState {
  const { ladder } = facts;
  if (ladder.failed) return 'failed';
  const unresponsive = ladder.isActive('heartbeat-lost') || ladder.isActive('process-stopped');
  switch (ladder.phase) {
    case 'stopped':
      return 'stopped';
    case 'starting':
      return ladder.incident ? 'recovering' : 'starting';
    case 'soft':
    case 'medium':
    case 'backoff':
      return 'recovering';
    case 'stopping':
      return unresponsive ? 'unresponsive' : 'recovering';
    case 'failed':
      return 'failed';
    case 'running': {
      if (unresponsive) return 'unresponsive';
      const beat = facts.lastHeartbeat;
      if (beat && (beat.state === 'degraded' || beat.health.status === 'degraded')) return 'degraded';
      return 'healthy';
    }
  }
}

export function buildStatus(facts: StatusFacts): StatusSnapshot {
  const { ladder, agent, lastHeartbeat } = facts;
  const running = agent !== null && ladder.phase !== 'stopped';
  const nextRetryAt = ladder.nextRetryAt;
  return {
    v: 1,
    updatedAt: facts.nowWall,
    watchdog: {
      pid: facts.watchdog.pid,
      version: facts.watchdog.version,
      uptimeMs: Math.max(0, Math.round(facts.nowWall - facts.watchdog.startedAtWall)),
      mode: facts.watchdog.mode,
      startedAt: facts.watchdog.startedAtWall,
      paused: ladder.paused !== null,
      pausedUntil: facts.pausedUntilWall,
      ...(facts.watchdog.home ? { home: facts.watchdog.home } : {}),
      ...(facts.watchdog.config ? { config: facts.watchdog.config } : {}),
    },
    agent: {
      state: agentState(facts),
      pid: running ? agent.pid : null,
      uptimeMs: running ? Math.max(0, Math.round(facts.nowWall - agent.startedAt)) : null,
      lastHeartbeatAgoMs:
        running && facts.lastBeatAtMono !== null
          ? Math.max(0, Math.round(facts.nowMono - facts.lastBeatAtMono))
          : null,
      restarts: facts.restarts,
      rssBytes: running ? (facts.rssBytes ?? lastHeartbeat?.rssBytes ?? null) : null,
      cpuPercent: running ? facts.cpuPercent : null,
      eventLoopLagMs: running && lastHeartbeat ? lastHeartbeat.lagMs : null,
      worstHeartbeatGapMs: facts.worstHeartbeatGapMs === null ? null : Math.round(facts.worstHeartbeatGapMs),
      health: running && lastHeartbeat ? lastHeartbeat.health : null,
      version: facts.agentVersion,
      name: facts.agentName,
      config: facts.agentConfig,
      warnings: [...(facts.agentWarnings ?? [])],
      adopted: agent?.adopted ?? false,
      startedAt: running ? agent.startedAt : null,
    },
    recovery: {
      rung: ladder.rung,
      incidentId: ladder.incident?.id ?? null,
      signal: ladder.incident?.signal ?? null,
      backoffMs: nextRetryAt !== null ? Math.max(0, Math.round(nextRetryAt - facts.nowMono)) : null,
      nextRetryAt: nextRetryAt !== null ? Math.round(facts.nowWall + (nextRetryAt - facts.nowMono)) : null,
      restartsInWindow: facts.restartsInWindow,
    },
    incidents: facts.incidents,
  };
}

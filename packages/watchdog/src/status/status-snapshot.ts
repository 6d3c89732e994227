/**
 * The status object (DESIGN.md §6) as a pure function of the ladder's state and the facts the
 * loop keeps about the agent: status is derived in this one place, never assigned from many, and
 * never a copy of a ladder fact that could go stale (the pause's end comes from the ladder's pause).
 */
import type { AgentState, ConfigOrigin, Incident, LaunchMode, StatusSnapshot } from '@vigil/shared';
import type { AgentLimits } from '../detect/agent-limits.js';
import { currentRung, type LadderState } from '../ladder/ladder-state.js';
import { restartsInWindow } from '../ladder/restart-window.js';
import type { LaunchedAgent } from '../launcher/launcher.js';
import type { AgentFacts, StopFacts } from '../supervisor/agent-facts.js';

export interface WatchdogFacts {
  pid: number;
  version: string;
  startedAtWall: number;
  mode: LaunchMode;
  home: string | null;
  config?: ConfigOrigin | undefined;
  stopped?: StopFacts | undefined;
  limits?: AgentLimits | undefined;
}

export interface StatusInput {
  nowMono: number;
  nowWall: number;
  watchdog: WatchdogFacts;
  ladder: LadderState;
  /** The intensity window, for "restarts in window". */
  withinMs: number;
  agent: LaunchedAgent | null;
  facts: AgentFacts;
  worstHeartbeatGapMs: number | null;
  incidents: Incident[];
}

function limitsOf(limits: AgentLimits) {
  return {
    maxRssBytes: limits.memory.maxRssBytes ?? null,
    ceilingRssBytes: limits.memory.ceilingRssBytes ?? null,
    cpuMaxPercent: limits.cpu.maxPercent ?? null,
    defaulted: limits.defaulted,
  };
}

export function agentState(ladder: LadderState, facts: AgentFacts): AgentState {
  if (ladder.failed) return 'failed';
  const unresponsive =
    ladder.active['heartbeat-lost'] !== undefined || ladder.active['process-stopped'] !== undefined;
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

export function buildStatus(input: StatusInput): StatusSnapshot {
  const { ladder, agent, facts, nowMono, nowWall } = input;
  const beat = facts.lastHeartbeat;
  const running = agent !== null && ladder.phase !== 'stopped';
  const nextRetryAt = ladder.nextRetryAt;
  const hello = facts.session?.hello;
  const paused = ladder.paused !== null && !ladder.shuttingDown;
  return {
    v: 1,
    updatedAt: nowWall,
    watchdog: {
      pid: input.watchdog.pid,
      version: input.watchdog.version,
      uptimeMs: Math.max(0, Math.round(nowWall - input.watchdog.startedAtWall)),
      mode: input.watchdog.mode,
      startedAt: input.watchdog.startedAtWall,
      paused,
      pausedUntil: paused ? (ladder.paused?.untilWall ?? null) : null,
      ...(input.watchdog.home ? { home: input.watchdog.home } : {}),
      ...(input.watchdog.config ? { config: input.watchdog.config } : {}),
      ...(input.watchdog.stopped ? { stopped: input.watchdog.stopped } : {}),
      ...(input.watchdog.limits ? { limits: limitsOf(input.watchdog.limits) } : {}),
    },
    agent: {
      state: agentState(ladder, facts),
      pid: running ? agent.pid : null,
      uptimeMs: running ? Math.max(0, Math.round(nowWall - agent.startedAt)) : null,
      lastHeartbeatAgoMs:
        running && facts.lastBeatAt !== null ? Math.max(0, Math.round(nowMono - facts.lastBeatAt)) : null,
      restarts: ladder.restartCount,
      rssBytes: running ? (facts.lastSample?.rssBytes ?? beat?.rssBytes ?? null) : null,
      cpuPercent: running ? (facts.lastSample?.cpuPercent ?? null) : null,
      eventLoopLagMs: running && beat ? beat.lagMs : null,
      worstHeartbeatGapMs: input.worstHeartbeatGapMs === null ? null : Math.round(input.worstHeartbeatGapMs),
      health: running && beat ? beat.health : null,
      version: hello?.version ?? null,
      name: hello?.name ?? null,
      config: facts.config,
      warnings: [...facts.warnings],
      adopted: agent?.adopted ?? false,
      startedAt: running ? agent.startedAt : null,
    },
    recovery: {
      rung: currentRung(ladder),
      incidentId: ladder.incident?.id ?? null,
      signal: ladder.incident?.signal ?? null,
      backoffMs: nextRetryAt !== null ? Math.max(0, Math.round(nextRetryAt - nowMono)) : null,
      nextRetryAt: nextRetryAt !== null ? Math.round(nowWall + (nextRetryAt - nowMono)) : null,
      restartsInWindow: restartsInWindow(ladder.restarts, nowMono, input.withinMs),
    },
    incidents: input.incidents,
    ...(running && facts.checks ? { checks: facts.checks } : {}),
  };
}

/**
 * What the loop knows about the agent that is not a ladder decision: its session, its last
 * heartbeat and when it came, the last resource sample, the config it reported. One record,
 * owned by the loop; status is a pure function of it and the ladder's state.
 */
import type { CheckReports, ConfigReport, HeartbeatMessage } from '@vigil/shared';
import type { AgentSession } from '../heartbeat/heartbeat-server.js';

export interface AgentFacts {
  session: AgentSession | undefined;
  lastHeartbeat: HeartbeatMessage | null;
  /** Monotonic time of the last heartbeat (or of the hello), null before the first. */
  lastBeatAt: number | null;
  lastSample: { rssBytes: number; cpuPercent: number } | null;
  /** Sent in a session's first beat and on change; kept until a new start. */
  config: ConfigReport | null;
  /** What the agent cannot do (a metrics port in use): sent like its config report. */
  warnings: readonly string[];
  /** Each check as last reported: sent like the config report, in a session's first beat and on change. */
  checks: CheckReports | null;
}

export function freshFacts(): AgentFacts {
  return {
    session: undefined,
    lastHeartbeat: null,
    lastBeatAt: null,
    lastSample: null,
    config: null,
    warnings: [],
    checks: null,
  };
}

/** A new agent (started, adopted or replaced): nothing known of the previous one carries over. */
export function forNewAgent(facts: AgentFacts): void {
  facts.lastSample = null;
  facts.lastHeartbeat = null;
  facts.lastBeatAt = null;
  facts.config = null;
  facts.warnings = [];
  facts.checks = null;
}

/** How the pair was stopped, for the last status written: by what and when. */
export interface StopFacts {
  reason: string;
  /** Epoch ms. */
  at: number;
}

/**
 * The watchdog's metrics, for node_exporter's textfile collector: the watchdog keeps no network
 * listener, so it writes `vigil.prom` (atomically: node_exporter may read at any moment) with
 * the agent's state and the incident, restart and rung counts since the watchdog started.
 * docs/metrics.md is the contract for every name here.
 */
import { dirname } from 'node:path';
import {
  AGENT_STATES,
  ensureDir,
  type IncidentEvent,
  INCIDENT_OUTCOMES as OUTCOMES,
  RUNGS,
  SIGNAL_KINDS as SIGNALS,
  type StatusSnapshot,
  writeFileAtomic,
} from '@vigil/shared';

// The lists the schemas' unions are built from: a new state or signal gets its series.
/** The signals that mean the heartbeat was not seen in time (a stopped process is seen early). */
const HEARTBEAT_MISSES = new Set(['heartbeat-lost', 'process-stopped']);

function escapeLabel(value: string): string {
  return value.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n');
}

/** Every label value starts at 0: a series born at 1 is invisible to increase() and rate(). */
const zeroed = (keys: readonly string[]) => new Map<string, number>(keys.map((k) => [k, 0]));

export class WatchdogCounters {
  readonly incidents = zeroed(SIGNALS);
  readonly outcomes = zeroed(OUTCOMES);
  readonly rungs = zeroed(RUNGS);
  readonly evidence = new Map<string, number>();
  /** Heartbeats declared lost (or the agent seen stopped), one per incident. */
  heartbeatMisses = 0;
  /** Times the crash-loop guard marked the agent failed. */
  failures = 0;

  count(event: IncidentEvent): void {
    const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
    if (event.kind === 'opened' && event.signal) {
      bump(this.incidents, event.signal);
      if (HEARTBEAT_MISSES.has(event.signal)) this.heartbeatMisses++;
    }
    if (event.kind === 'rung' && event.rung) bump(this.rungs, event.rung);
    if (event.kind === 'closed' && event.outcome) bump(this.outcomes, event.outcome);
    if (event.kind === 'evidence') bump(this.evidence, event.evidence?.source ?? 'none');
    if (event.kind === 'failed') this.failures++;
  }
}

export function renderProm(status: StatusSnapshot, counters: WatchdogCounters): string {
  const lines: string[] = [];
  const metric = (name: string, type: string, help: string, samples: [string, number][]) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`);
  };
  const labels = (pairs: Record<string, string>) =>
    `{${Object.entries(pairs)
      .map(([key, value]) => `${key}="${escapeLabel(value)}"`)
      .join(',')}}`;
  const label = (key: string, value: string) => labels({ [key]: value });
  const a = status.agent;
  metric('vigil_watchdog_info', 'gauge', 'Always 1; the version and launch mode of the watchdog.', [
    [labels({ version: status.watchdog.version, mode: status.watchdog.mode }), 1],
  ]);
  metric(
    'vigil_watchdog_start_time_seconds',
    'gauge',
    'When the watchdog started, seconds since the epoch.',
    [['', Math.round(status.watchdog.startedAt / 1000)]],
  );
  metric(
    'vigil_watchdog_last_update_timestamp_seconds',
    'gauge',
    'When the watchdog wrote this file, seconds since the epoch; rewritten on every change and every 30 s.',
    [['', status.updatedAt / 1000]],
  );
  metric('vigil_watchdog_paused', 'gauge', '1 while recovery is paused for maintenance.', [
    ['', status.watchdog.paused ? 1 : 0],
  ]);
  metric('vigil_agent_up', 'gauge', '1 when the agent is running and heartbeating (healthy or degraded).', [
    ['', a.state === 'healthy' || a.state === 'degraded' ? 1 : 0],
  ]);
  metric(
    'vigil_agent_state',
    'gauge',
    'The agent state, one series per state, 1 for the current one.',
    AGENT_STATES.map((s) => [label('state', s), a.state === s ? 1 : 0]),
  );
  metric('vigil_agent_restarts_total', 'counter', 'Agent restarts since the watchdog started.', [
    ['', a.restarts],
  ]);
  metric(
    'vigil_agent_failed_total',
    'counter',
    'Times the crash-loop guard marked the agent failed since the watchdog started.',
    [['', counters.failures]],
  );
  metric(
    'vigil_heartbeat_misses_total',
    'counter',
    "Times the agent's heartbeat was declared lost (or the agent seen stopped) since the watchdog started.",
    [['', counters.heartbeatMisses]],
  );
  if (a.lastHeartbeatAgoMs !== null) {
    metric(
      'vigil_agent_heartbeat_age_seconds',
      'gauge',
      'Time since the last heartbeat, when this file was written.',
      [['', a.lastHeartbeatAgoMs / 1000]],
    );
  }
  if (a.worstHeartbeatGapMs) {
    metric(
      'vigil_agent_heartbeat_worst_gap_seconds',
      'gauge',
      'The longest gap between two heartbeats since the watchdog started.',
      [['', a.worstHeartbeatGapMs / 1000]],
    );
  }
  if (a.rssBytes !== null)
    metric('vigil_agent_rss_bytes', 'gauge', 'RSS of the agent (and descendants when sampled).', [
      ['', a.rssBytes],
    ]);
  metric(
    'vigil_recovery_rung',
    'gauge',
    'The recovery rung in progress, 1 for the current one (none when idle).',
    ['none', ...RUNGS].map((r) => [label('rung', r), status.recovery.rung === r ? 1 : 0]),
  );
  metric(
    'vigil_incidents_total',
    'counter',
    'Incidents opened since the watchdog started, by signal.',
    [...counters.incidents].map(([signal, n]) => [label('signal', signal), n]),
  );
  metric(
    'vigil_incidents_closed_total',
    'counter',
    'Incidents closed since the watchdog started, by outcome.',
    [...counters.outcomes].map(([outcome, n]) => [label('outcome', outcome), n]),
  );
  metric(
    'vigil_rungs_total',
    'counter',
    'Recovery rungs taken since the watchdog started.',
    [...counters.rungs].map(([rung, n]) => [label('rung', rung), n]),
  );
  return `${lines.join('\n')}\n`;
}

/**
 * Writes the textfile; `dirMode` when the folder is vigil's own (recreated if gone), absent for
 * node_exporter's folder, which vigil never creates. Returns the error instead of throwing: a
 * missing textfile directory must not disturb supervision, and the next status change retries.
 */
export function writeProm(
  path: string,
  status: StatusSnapshot,
  counters: WatchdogCounters,
  dirMode?: number,
): Error | null {
  try {
    if (dirMode !== undefined) ensureDir(dirname(path), { mode: dirMode });
    writeFileAtomic(path, renderProm(status, counters), { mode: 0o644 });
    return null;
  } catch (error) {
    return error as Error;
  }
}

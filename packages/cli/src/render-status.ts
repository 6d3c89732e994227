/** The human view of `vigil status`: both processes, what is wrong, and what happens next. */
import { type AgentState, type Incident, printableDeep, type StatusSnapshot } from '@vigil/shared/core';
import { formatBytes, formatDuration, formatTime, paint, type Style } from './format.js';
import { renderChecks } from './render-checks.js';
import { describeConfig } from './render-config.js';

const STATE_STYLE: Record<AgentState, Style> = {
  healthy: 'green',
  degraded: 'yellow',
  starting: 'cyan',
  recovering: 'yellow',
  unresponsive: 'red',
  stopped: 'red',
  failed: 'red',
};

export function statusExitCode(state: AgentState): number {
  if (state === 'healthy') return 0;
  if (state === 'failed' || state === 'stopped') return 2;
  return 1;
}

function ago(ms: number | null): string {
  return ms === null ? '-' : `${formatDuration(ms)} ago`;
}

export function renderIncidentLine(agentIncident: Incident, now: number, color: boolean): string {
  const incident = printableDeep(agentIncident);
  const rungs = incident.rungs.length ? incident.rungs.join(' → ') : 'no rung';
  const outcome = incident.outcome ?? 'open';
  const style: Style =
    outcome === 'resolved' || outcome === 'restarted' ? 'green' : outcome === 'open' ? 'yellow' : 'red';
  const took = incident.durationMs === null ? '' : ` in ${formatDuration(incident.durationMs)}`;
  return `${paint(incident.id, 'dim', color)}  ${incident.signal}: ${rungs} → ${paint(outcome, style, color)}${took}, ${formatDuration(now - incident.openedAt)} ago`;
}

/** "RSS 256 MiB (ceiling 384 MiB), CPU 90% (vigil's defaults for the bundled agent)" */
export function describeLimits(limits: NonNullable<StatusSnapshot['watchdog']['limits']>): string {
  const memory =
    limits.maxRssBytes === null && limits.ceilingRssBytes === null
      ? 'RSS: none'
      : `RSS ${formatBytes(limits.maxRssBytes)}${limits.ceilingRssBytes === null ? '' : ` (ceiling ${formatBytes(limits.ceilingRssBytes)})`}`;
  const cpu = limits.cpuMaxPercent === null ? 'CPU: none' : `CPU ${limits.cpuMaxPercent}%`;
  const defaulted = limits.defaulted.length
    ? ` (${limits.defaulted.join(' and ')}: vigil's defaults for the bundled agent)`
    : '';
  const off =
    limits.maxRssBytes === null && limits.cpuMaxPercent === null ? ' — nothing acts on a leak or a spin' : '';
  return `${memory}, ${cpu}${defaulted}${off}`;
}

export function renderStatus(
  snapshot: StatusSnapshot,
  options: { color: boolean; staleMs?: number | undefined },
): string {
  const { color } = options;
  // The agent's version, health summary, check names and incident details are its own text.
  const s = printableDeep(snapshot);
  const now = s.updatedAt + (options.staleMs ?? 0);
  const a = s.agent;
  const lines: string[] = [];
  const stopped = s.watchdog.stopped;
  if (options.staleMs !== undefined && !stopped) {
    lines.push(
      paint(
        `STALE: the watchdog is not running and did not stop cleanly (killed or crashed); this is the last state it wrote, ${formatDuration(options.staleMs)} ago (${formatTime(s.updatedAt)})`,
        'red',
        color,
      ),
    );
  }
  // The header says what is true now: a view of a watchdog that is gone is never "● healthy".
  const badge = stopped
    ? paint('● stopped', 'red', color)
    : options.staleMs !== undefined
      ? paint(`● STALE (last written: ${a.state})`, 'red', color)
      : paint(`● ${a.state}`, STATE_STYLE[a.state], color);
  const note = stopped
    ? paint(`  (the pair was stopped: ${stopped.reason}, ${formatTime(stopped.at)})`, 'dim', color)
    : s.watchdog.paused
      ? paint('  (paused for maintenance)', 'yellow', color)
      : '';
  lines.push(`${paint('vigil', 'bold', color)} ${badge}${note}`);
  lines.push(
    `  watchdog   pid ${s.watchdog.pid}  v${s.watchdog.version}  ${s.watchdog.mode}  up ${formatDuration(s.watchdog.uptimeMs)}${s.watchdog.home ? `  ${s.watchdog.home}` : ''}`,
  );
  const origin = s.watchdog.config;
  if (origin?.source === 'last-good') {
    lines.push(
      paint(
        `  config     watchdog: REFUSED ${origin.file ?? ''}: ${origin.error ?? 'invalid'}; running on the last good config ${origin.fallback ?? ''}`,
        'red',
        color,
      ),
    );
  }
  const agentBits = [
    a.name ? a.name : null,
    `pid ${a.pid ?? '-'}`,
    a.version ? `v${a.version}` : null,
    `up ${formatDuration(a.uptimeMs)}`,
    `heartbeat ${ago(a.lastHeartbeatAgoMs)}`,
    `RSS ${formatBytes(a.rssBytes)}`,
    `CPU ${a.cpuPercent === null ? '-' : `${a.cpuPercent.toFixed(1)}%`}`,
    `lag ${a.eventLoopLagMs === null ? '-' : `${a.eventLoopLagMs.toFixed(1)} ms`}`,
    a.adopted ? 'adopted' : null,
  ].filter(Boolean);
  lines.push(`  agent      ${agentBits.join('  ')}`);
  const limits = s.watchdog.limits;
  if (limits) lines.push(`  limits     ${describeLimits(limits)}`);
  if (a.health) {
    const c = a.health.checks;
    const counts = c
      ? `${c.ok} ok, ${paint(`${c.warn} warn`, c.warn ? 'yellow' : 'dim', color)}, ${paint(`${c.critical} critical`, c.critical ? 'red' : 'dim', color)}${c.paused ? `, ${c.paused} paused` : ''}`
      : 'no checks reported';
    const failing = a.health.failing?.length ? `  failing: ${a.health.failing.join(', ')}` : '';
    lines.push(
      `  checks     ${a.health.status}: ${counts}${failing}${a.health.summary ? `  (${a.health.summary})` : ''}`,
    );
  }
  if (snapshot.checks) lines.push(...renderChecks(snapshot.checks, a.health?.checks?.total, now, color));
  const config = describeConfig(a.config);
  if (config)
    lines.push(`  config     agent: ${a.config?.rejected ? paint(config, 'yellow', color) : config}`);
  for (const warning of a.warnings ?? []) lines.push(`  ${paint(`warning    ${warning}`, 'yellow', color)}`);
  const r = s.recovery;
  const rung = r.rung === 'none' ? 'none' : paint(r.rung, 'yellow', color);
  const next = r.backoffMs !== null ? `  next start in ${formatDuration(r.backoffMs)}` : '';
  const incident = r.incidentId ? `  incident ${r.incidentId} (${r.signal})` : '';
  lines.push(
    `  recovery   rung ${rung}${incident}${next}  restarts ${a.restarts} (${r.restartsInWindow} in window)`,
  );
  if (s.incidents.length) {
    lines.push('  incidents');
    for (const i of s.incidents.slice(0, 3)) lines.push(`    ${renderIncidentLine(i, now, color)}`);
  } else {
    lines.push('  incidents  none');
  }
  return `${lines.join('\n')}\n`;
}

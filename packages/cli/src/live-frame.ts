/**
 * One frame of the live view (`vigil top`): state, rung, RSS and CPU against their limits,
 * heartbeat age, the checks and the open incident's timeline. Every number is shown coarse
 * (whole MiB, whole percent, heartbeat age in seconds, clock times) so an idle pair draws the
 * same frame again, and the view redraws only when something changed.
 */
import { printableDeep, type StatusSnapshot } from '@vigil/shared/core';
import { formatBytes, formatDuration, paint, type Style } from './format.js';

const STATE_STYLE: Record<string, Style> = {
  healthy: 'green',
  degraded: 'yellow',
  starting: 'cyan',
  recovering: 'yellow',
  unresponsive: 'red',
  stopped: 'red',
  failed: 'red',
  ok: 'green',
  warn: 'yellow',
  critical: 'red',
};

export type LiveInput = { snapshot: StatusSnapshot } | { unreachable: string };

function clock(ms: number | null): string {
  if (ms === null) return '--:--:--';
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? '--:--:--' : date.toISOString().slice(11, 19);
}

function fit(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, Math.max(0, width - 1))}…` : text;
}

function heartbeatAge(ms: number | null): string {
  if (ms === null) return '-';
  return ms < 1000 ? '<1 s' : `${Math.floor(ms / 1000)} s`;
}

function against(value: string, limit: string | null): string {
  return limit === null ? value : `${value} / ${limit}`;
}

export function renderFrame(input: LiveInput, options: { color: boolean; width: number }): string {
  const { color, width } = options;
  const lines: string[] = [];
  if ('unreachable' in input) {
    lines.push(`${paint('vigil', 'bold', color)} ${paint('● watchdog unreachable', 'red', color)}`);
    lines.push(`  ${input.unreachable}`);
    lines.push('', paint('q quits', 'dim', color));
    return lines.join('\n');
  }
  // Check names, summaries and incident details are the agent's text.
  const s = printableDeep(input.snapshot);
  const a = s.agent;
  const limits = s.watchdog.limits;
  lines.push(
    `${paint('vigil', 'bold', color)} ${paint(`● ${a.state}`, STATE_STYLE[a.state] ?? 'dim', color)}  ${a.name ?? 'agent'}${a.version ? ` v${a.version}` : ''}  pid ${a.pid ?? '-'}${s.watchdog.paused ? paint('  paused', 'yellow', color) : ''}`,
  );
  const rss = against(
    a.rssBytes === null ? '-' : `${Math.round(a.rssBytes / 1024 / 1024)} MiB`,
    limits?.maxRssBytes ? formatBytes(limits.maxRssBytes) : null,
  );
  const cpu = against(
    a.cpuPercent === null ? '-' : `${Math.round(a.cpuPercent)}%`,
    limits?.cpuMaxPercent ? `${limits.cpuMaxPercent}%` : null,
  );
  lines.push(
    `  RSS ${rss}   CPU ${cpu}   heartbeat ${heartbeatAge(a.lastHeartbeatAgoMs)}   restarts ${a.restarts}`,
  );
  const r = s.recovery;
  lines.push(
    `  rung ${r.rung === 'none' ? 'none' : paint(r.rung, 'yellow', color)}${r.incidentId ? `   incident ${r.incidentId} (${r.signal})` : ''}${r.backoffMs !== null ? `   next start ${clock(r.nextRetryAt)}` : ''}`,
  );
  lines.push('');
  const checks = Object.entries(s.checks ?? {});
  lines.push(paint(`checks (${a.health?.checks?.total ?? checks.length})`, 'bold', color));
  if (checks.length === 0) lines.push('  none reported');
  for (const [name, c] of checks) {
    const state = c.paused ? 'paused' : c.status;
    lines.push(
      `  ${paint(state.padEnd(8), STATE_STYLE[state] ?? 'dim', color)} ${fit(name, 24).padEnd(20)} ${fit(c.summary, Math.max(10, width - 70))}  (since ${clock(c.since)}, ran ${clock(c.lastRunAt)})`,
    );
  }
  lines.push('');
  const open = s.incidents.find((i) => i.id === r.incidentId) ?? s.incidents.find((i) => i.outcome === null);
  if (open) {
    lines.push(
      paint(`incident ${open.id}: ${open.signal}${open.detail ? ` — ${open.detail}` : ''}`, 'bold', color),
    );
    for (const entry of open.timeline) {
      const what = [entry.kind, entry.rung, entry.ok === undefined ? null : entry.ok ? 'ok' : 'FAILED']
        .filter(Boolean)
        .join(' ');
      lines.push(
        fit(
          `  +${formatDuration(entry.at - open.openedAt).padEnd(8)} ${what.padEnd(16)} ${entry.detail ?? ''}`,
          width,
        ),
      );
    }
  } else {
    const last = s.incidents[0];
    lines.push(
      last
        ? `last incident ${last.id}: ${last.signal} → ${last.outcome ?? 'open'} at ${clock(last.closedAt ?? last.openedAt)}`
        : 'no incidents',
    );
  }
  lines.push('', paint('q quits', 'dim', color));
  return lines.join('\n');
}

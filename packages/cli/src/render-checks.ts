/** Each check on its own line in `vigil status`: name, type, state, summary, since when, last run. */
import { type CheckReports, printable } from '@vigil/shared/core';
import { formatDuration, paint, type Style } from './format.js';

const STATUS_STYLE: Record<string, Style> = { ok: 'green', warn: 'yellow', critical: 'red' };

function ago(now: number, at: number | null): string {
  return at === null ? 'never' : `${formatDuration(Math.max(0, now - at))} ago`;
}

/** A column for terminal text: neutralised, cut and padded to `width`. */
function column(text: string, width: number): string {
  const clean = printable(text);
  return clean.length > width ? `${clean.slice(0, width - 1)}…` : clean.padEnd(width);
}

export function renderChecks(
  checks: CheckReports,
  total: number | undefined,
  now: number,
  color: boolean,
): string[] {
  const entries = Object.entries(checks);
  const nameWidth = Math.min(28, Math.max(4, ...entries.map(([name]) => printable(name).length)));
  const lines = entries.map(([name, c]) => {
    const state = c.paused ? 'paused' : c.status;
    const styled = paint(column(state, 8), c.paused ? 'dim' : (STATUS_STYLE[c.status] ?? 'dim'), color);
    const took = c.lastRunMs === null ? '' : ` (${formatDuration(c.lastRunMs)})`;
    return `    ${column(name, nameWidth)}  ${column(c.type, 14)}  ${styled}  ${column(c.summary, 60).trimEnd()}  since ${ago(now, c.since)}, last run ${ago(now, c.lastRunAt)}${took}`;
  });
  const hidden = total === undefined ? 0 : total - entries.length;
  if (hidden > 0) lines.push(paint(`    … and ${hidden} more (not reported by the agent)`, 'dim', color));
  return lines;
}

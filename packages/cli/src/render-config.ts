/**
 * The config line of `vigil status` and `vigil why`: what the agent runs, and its last refused
 * change until a good one applies — a rejected reload must never be only one WARN line in a log.
 */
import type { ConfigReport } from '@vigil/shared/core';

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function running(report: ConfigReport): string {
  const what = report.source ?? 'the built-in defaults';
  return `running ${what} (applied ${iso(report.appliedAt)})`;
}

/** One line, or null when there is no report; `first` names the first problem only. */
export function describeConfig(report: ConfigReport | null | undefined): string | null {
  if (!report) return null;
  const r = report.rejected;
  if (!r) return running(report);
  const problem = r.problems[0] ?? 'no reason given';
  const more = r.problems.length > 1 ? ` (+${r.problems.length - 1} more)` : '';
  const file = r.file ? `${r.file}: ` : '';
  return `last change rejected at ${iso(r.at)} (${file}${problem}${more}); ${running(report)}`;
}

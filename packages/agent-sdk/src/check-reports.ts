/**
 * The checks a heartbeat carries, bounded: at most MAX_REPORTED_CHECKS, each summary cut, and
 * the whole well inside one frame even when every character needs escaping in JSON.
 */
import {
  type CheckReport,
  type CheckReports,
  MAX_CHECK_SUMMARY_CHARS,
  MAX_FRAME_BYTES,
  MAX_REPORTED_CHECKS,
} from '@vigil/shared';

/** Half a frame: the rest of the beat (health, config, warnings) keeps its room. */
const MAX_CHECKS_BYTES = MAX_FRAME_BYTES / 2;
const MAX_NAME_CHARS = 128;

export type CheckReportSource = () => Iterable<[name: string, report: CheckReport]>;

/** A stamp of the checks' state: equal stamps mean equal reports (see Agent.reportChecks). */
export type CheckRevision = () => string | number;

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function boundCheckReports(entries: Iterable<[string, CheckReport]>): CheckReports {
  const out: CheckReports = {};
  let bytes = 2;
  let count = 0;
  for (const [name, report] of entries) {
    if (count >= MAX_REPORTED_CHECKS) break;
    const key = clip(name, MAX_NAME_CHARS);
    const bounded: CheckReport = {
      ...report,
      type: clip(report.type, 64),
      summary: clip(report.summary, MAX_CHECK_SUMMARY_CHARS),
      ...(report.unit === undefined ? {} : { unit: clip(report.unit, 16) }),
      ...(report.value === undefined || Number.isFinite(report.value) ? {} : { value: undefined }),
    };
    if (bounded.value === undefined) delete bounded.value;
    const size = Buffer.byteLength(JSON.stringify({ [key]: bounded })) + 1;
    if (bytes + size > MAX_CHECKS_BYTES) break;
    bytes += size;
    count += 1;
    out[key] = bounded;
  }
  return out;
}

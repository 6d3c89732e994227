/**
 * vigil's side of one recovery, read from its own log (JSON lines, epoch-ms `time`): when it
 * noticed (a detector signal, or the agent's exit), when the hard stop finished, and when it
 * spawned the new agent — all relative to the moment the harness broke the app. Diagnostics
 * for the report; the figures themselves come from the app's `started` lines.
 */
import { readFileSync } from 'node:fs';

export function watchdogTimeline(logFile, since) {
  let text;
  try {
    text = readFileSync(logFile, 'utf8');
  } catch {
    return null;
  }
  const out = {};
  for (const line of text.split('\n')) {
    let record;
    try {
      record = JSON.parse(line);
    } catch {
      continue;
    }
    if (typeof record.time !== 'number' || record.time < since) continue;
    const at = record.time - since;
    const msg = String(record.msg ?? '');
    if (out.noticedMs === undefined && /^(detected |agent killed by|agent exited)/.test(msg)) {
      out.noticedMs = at;
      out.noticed = msg;
    }
    if (out.stoppedMs === undefined && msg === 'agent stopped (hard)') out.stoppedMs = at;
    if (out.spawnedMs === undefined && msg === 'agent started' && out.noticedMs !== undefined)
      out.spawnedMs = at;
  }
  return out.noticedMs === undefined ? null : out;
}

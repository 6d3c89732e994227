/** A valid status object and incident for CLI tests, with every string a test may want to poison. */
import type { Incident, StatusSnapshot } from '@vigil/shared';

export function sampleIncident(text = 'agent pid 41 exited with code 1'): Incident {
  const openedAt = 1_764_000_000_000;
  return {
    id: 'inc-20251124-1',
    signal: 'heartbeat-lost',
    detail: text,
    openedAt,
    closedAt: openedAt + 1500,
    durationMs: 1500,
    outcome: 'restarted',
    rung: 'hard',
    rungs: ['hard'],
    evidence: {
      stack: [`at spin (${text}:3:9)`, 'at node:internal/timers:1:1'],
      source: text,
      reportPath: `/tmp/${text}.json`,
      note: text,
    },
    timeline: [
      { at: openedAt, kind: 'opened', detail: text },
      { at: openedAt + 10, kind: 'rung', rung: 'hard', detail: text },
      { at: openedAt + 900, kind: 'result', rung: 'hard', ok: false, did: [text, 'cleared'], detail: text },
      { at: openedAt + 1500, kind: 'closed', detail: text },
    ],
  };
}

export function sampleSnapshot(text = 'disk ok', updatedAt = Date.now()): StatusSnapshot {
  return {
    v: 1,
    updatedAt,
    watchdog: {
      pid: 4242,
      version: '0.1.0',
      uptimeMs: 60_000,
      mode: 'embedded',
      startedAt: updatedAt - 60_000,
      paused: false,
      pausedUntil: null,
      home: '/tmp/vigil-home',
    },
    agent: {
      state: 'degraded',
      pid: 4343,
      uptimeMs: 30_000,
      lastHeartbeatAgoMs: 120,
      restarts: 1,
      rssBytes: 50 * 1024 * 1024,
      cpuPercent: 1.5,
      eventLoopLagMs: 2.25,
      worstHeartbeatGapMs: 300,
      health: {
        status: 'degraded',
        summary: text,
        checks: { total: 3, ok: 1, warn: 1, critical: 1 },
        failing: [text, 'load'],
      },
      version: text,
      adopted: false,
      startedAt: updatedAt - 30_000,
    },
    recovery: {
      rung: 'soft',
      incidentId: 'inc-20251124-2',
      signal: 'self-failing',
      backoffMs: null,
      nextRetryAt: null,
      restartsInWindow: 1,
    },
    incidents: [sampleIncident(text)],
  };
}

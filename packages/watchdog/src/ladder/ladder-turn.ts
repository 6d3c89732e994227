/**
 * One turn of the ladder: a working copy of the state, the config and the world as the event
 * found it, and the effects the turn asks for. The moves every transition is made of — open and
 * close an incident, record, alert, arm and disarm a timer, climb to a rung, start the agent,
 * decide what follows a stop — live here, so each transition in ladder-table.ts is a few lines.
 */
import type { IncidentEvent, IncidentEventKind, IncidentOutcome, Rung, SignalKind } from '@vigil/shared';
import type { LadderEffect, LadderEnv, OperatorOutcome } from './ladder-events.js';
import type { LadderConfig, LadderState, TimerName } from './ladder-state.js';
import { decideRestart, emptyRestartWindow, withRestart } from './restart-window.js';

/** Signals, worst first: when several are active, the worst one is acted on. */
export const SEVERITY: readonly SignalKind[] = [
  'exit',
  'process-stopped',
  'heartbeat-lost',
  'no-hello',
  'memory-ceiling',
  'memory',
  'cpu',
  'self-failing',
  'event-loop-lag',
  'operator',
];

/** Signals after which no recovery handler can run: the ladder goes straight to hard. */
export const UNRESPONSIVE: ReadonlySet<SignalKind> = new Set([
  'exit',
  'process-stopped',
  'heartbeat-lost',
  'no-hello',
]);
/** Signals that skip soft and medium even when the agent answers (like systemd's MemoryMax). */
export const STRAIGHT_TO_HARD: ReadonlySet<SignalKind> = new Set([...UNRESPONSIVE, 'memory-ceiling']);

type RecordFields = Partial<Omit<IncidentEvent, 'v' | 'incidentId' | 'at' | 'kind'>>;

export class LadderTurn {
  readonly s: LadderState;
  readonly effects: LadderEffect[] = [];

  constructor(
    state: LadderState,
    readonly config: LadderConfig,
    readonly env: LadderEnv,
  ) {
    this.s = structuredClone(state);
  }

  // ── timers, records, alerts, replies ───────────────────────────────────────────────────────

  arm(name: TimerName, ms: number): void {
    const token = ++this.s.timerSeq;
    this.s.timers[name] = token;
    this.effects.push({ type: 'arm', name, ms, token });
  }

  disarm(...names: TimerName[]): void {
    for (const name of names) {
      if (this.s.timers[name] === undefined) continue;
      delete this.s.timers[name];
      this.effects.push({ type: 'disarm', name });
    }
  }

  record(kind: IncidentEventKind, fields: RecordFields = {}): void {
    const incident = this.s.incident;
    if (!incident) return;
    this.effects.push({
      type: 'record',
      event: { v: 1, incidentId: incident.id, at: this.env.wall, kind, ...fields },
    });
  }

  reply(outcome: OperatorOutcome): void {
    this.effects.push({ type: 'reply', outcome: { incidentId: this.s.incident?.id ?? null, ...outcome } });
  }

  // ── incidents ─────────────────────────────────────────────────────────────────────────────

  open(signal: SignalKind, detail: string): void {
    this.s.incident = {
      id: this.env.newIncidentId(),
      signal,
      detail,
      openedAtWall: this.env.wall,
      openedAt: this.env.now,
      rungs: [],
    };
    this.record('opened', { signal, detail });
  }

  close(outcome: IncidentOutcome, detail: string): void {
    const incident = this.s.incident;
    if (!incident) return;
    const last = incident.rungs.at(-1);
    this.record('closed', {
      outcome,
      detail,
      durationMs: Math.max(0, Math.round(this.env.now - incident.openedAt)),
      ...(last ? { rung: last } : {}),
    });
    if (outcome === 'restarted' && this.s.failed) {
      this.effects.push({
        type: 'alert',
        alert: { kind: 'recovered', incidentId: incident.id, signal: incident.signal, detail },
      });
    }
    this.s.incident = null;
    this.s.pending = null;
    this.disarm('verify');
  }

  // ── the climb ─────────────────────────────────────────────────────────────────────────────

  openAndClimb(kind: SignalKind, detail: string): void {
    this.open(kind, detail);
    this.climbTo(STRAIGHT_TO_HARD.has(kind) ? 'hard' : 'soft', `${kind}: ${detail}`, kind);
  }

  escalate(reason: string): void {
    const next: Rung = this.s.phase === 'soft' ? 'medium' : 'hard';
    this.record('escalated', { rung: next, detail: reason });
    this.climbTo(next, reason, this.s.incident?.signal ?? 'operator');
  }

  /** Takes rung `target`, skipping rungs the agent cannot run; the stop policy is decided here. */
  climbTo(target: Rung, reason: string, kind: SignalKind): void {
    const { s, config, env } = this;
    this.disarm('verify', 'stable');
    s.pending = null;
    s.rising = 0;
    let rung = target;
    if (rung !== 'hard' && (!env.responsive || UNRESPONSIVE.has(kind))) {
      for (const skipped of rung === 'soft' ? (['soft', 'medium'] as const) : (['medium'] as const)) {
        this.record('skipped', { rung: skipped, detail: 'the agent is not responsive' });
      }
      rung = 'hard';
    }
    const incident = s.incident;
    if (incident && !incident.rungs.includes(rung)) incident.rungs.push(rung);
    this.record('rung', { rung, detail: reason });
    // While failed, each probe is one more start, not news: the failure was alerted once.
    if (incident && !s.failed) {
      this.effects.push({
        type: 'alert',
        alert: { kind: 'rung', incidentId: incident.id, signal: incident.signal, rung, detail: reason },
      });
    }
    if (rung === 'hard') {
      s.phase = 'stopping';
      const responsive = !UNRESPONSIVE.has(kind) && env.responsive;
      // Over the memory ceiling every millisecond of grace is more memory: killed at once.
      const graceMs =
        kind === 'memory-ceiling' ? 0 : responsive ? config.stopTimeoutMs : config.unresponsiveStopTimeoutMs;
      this.effects.push({
        type: 'stop',
        request: {
          kind,
          responsive,
          incidentId: incident?.id ?? null,
          graceMs,
          evidence: !responsive && kind !== 'exit',
        },
      });
      return;
    }
    const id = `${rung}-${++s.commandSeq}`;
    s.phase = rung;
    s.pending = { id, level: rung, sentAt: env.now, resultAt: null };
    this.effects.push({ type: 'send', level: rung, id, reason: reason.slice(0, 500) });
    this.arm('verify', rung === 'soft' ? config.softVerifyMs : config.mediumVerifyMs);
  }

  actOnWorstActive(): void {
    const { s } = this;
    if (s.phase !== 'running' || s.paused || s.incident) return;
    const worst = SEVERITY.find((kind) => s.active[kind] !== undefined);
    const signal = worst && s.active[worst];
    if (!worst || !signal) return;
    // Acted on later than it was raised (after a pause, a rung for another signal): the detail
    // was true then; say how long it has lasted, so "no heartbeat for 1501 ms" is not the story.
    const lasted = this.env.now - signal.since;
    const detail =
      lasted >= 1000 ? `${signal.detail}; still so ${Math.round(lasted / 1000)} s later` : signal.detail;
    this.openAndClimb(worst, detail);
  }

  // ── starts and stops ──────────────────────────────────────────────────────────────────────

  startAgent(isRestart: boolean): void {
    const { s, env, config } = this;
    this.disarm('backoff', 'probe');
    s.nextRetryAt = null;
    s.active = {};
    s.pending = null;
    if (isRestart && !s.failed) s.restarts = withRestart(s.restarts, env.now, config.intensity.withinMs);
    if (s.incident) s.restartCount++;
    s.phase = 'starting';
    this.arm('grace', config.startupGraceMs);
    this.effects.push({ type: 'start' });
  }

  /** After a hard stop: restart now, back off, or declare the agent failed. */
  afterStop(): void {
    const { s, env, config } = this;
    if (s.shuttingDown) {
      s.phase = 'stopped';
      return;
    }
    if (s.paused) {
      s.phase = 'stopped';
      this.close('aborted', 'paused by the operator');
      return;
    }
    // An operator's restart is deliberate: it neither waits nor counts toward the intensity.
    if (s.afterStop === 'operator-restart') {
      s.afterStop = 'restart';
      return this.startAgent(false);
    }
    if (s.failed) return this.enterFailed(false);
    const decision = decideRestart(s.restarts, env.now, config, env.random);
    if (decision.action === 'fail') return this.enterFailed(true, decision.restarts);
    if (decision.delayMs === 0) return this.startAgent(true);
    s.phase = 'backoff';
    s.nextRetryAt = env.now + decision.delayMs;
    this.record('backoff', { durationMs: decision.delayMs, detail: `restart in ${decision.delayMs} ms` });
    this.arm('backoff', decision.delayMs);
  }

  enterFailed(first: boolean, restarts?: number): void {
    const { s, env, config } = this;
    s.phase = 'failed';
    s.nextRetryAt = env.now + config.probeMs;
    this.arm('probe', config.probeMs);
    if (!first || !s.incident) return;
    s.failed = true;
    const detail = `${restarts} restarts within the intensity window; probing every ${Math.round(config.probeMs / 1000)} s`;
    this.record('failed', { detail });
    this.effects.push({
      type: 'alert',
      alert: { kind: 'failed', incidentId: s.incident.id, signal: s.incident.signal, detail },
    });
  }

  /** A failed period ends (an operator's start, a successful probe, an agent replaced by hand). */
  endFailedPeriod(): void {
    this.s.failed = false;
    this.s.restarts = emptyRestartWindow();
  }
}

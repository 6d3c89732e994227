/**
 * The recovery ladder: the one state machine that decides what the watchdog does about the
 * agent (DESIGN.md §4). Events come in (detector signals, the agent's hello and results, exits,
 * timers, operator commands); effects go out through `LadderPorts` (start, stop, send a recover
 * command, record a timeline entry, alert). It does no I/O itself and takes its time from an
 * injected Clock, so tests drive every transition with a FakeClock.
 *
 *   running ─signal─▶ soft ─not cleared─▶ medium ─not cleared─▶ stopping (hard) ─▶ [backoff] ─▶ starting ─hello─▶ running
 *                                                                     └─ over intensity ─▶ failed ─probe─▶ starting
 *
 * A rung that needs a responsive agent is skipped when it is not (heartbeat lost, process
 * stopped, exited); a rung is judged by the signal's trend as well as by its verify window.
 */
import type {
  Clock,
  IncidentEvent,
  IncidentEventKind,
  IncidentOutcome,
  Rung,
  SignalKind,
  TimerHandle,
} from '@vigil/shared';
import { OperatorBudget, type OperatorBudgetConfig } from './operator-budget.js';
import type { RestartPolicy } from './restart-policy.js';

export type LadderPhase =
  | 'stopped'
  | 'starting'
  | 'running'
  | 'soft'
  | 'medium'
  | 'stopping'
  | 'backoff'
  | 'failed';

export type LadderEvent =
  /** Begin supervising: start the agent (or wait for an adopted one to say hello). */
  | { type: 'begin'; adopted: boolean }
  | { type: 'started'; pid: number }
  | { type: 'start-failed'; detail: string }
  | { type: 'hello'; pid: number }
  | { type: 'exit'; detail: string }
  /** Someone else restarted the agent (an operator's `systemctl restart`); `pid` is the new one. */
  | { type: 'replaced'; pid: number; detail: string }
  | { type: 'signal'; kind: SignalKind; detail: string }
  | { type: 'cleared'; kind: SignalKind }
  | { type: 'trend'; kind: SignalKind; rising: boolean }
  | { type: 'result'; id: string; ok: boolean; did: string[]; durationMs: number; error?: string | undefined }
  | { type: 'stopped'; how: string; detail?: string | undefined }
  | { type: 'timer'; name: TimerName; token: number };

export type TimerName = 'verify' | 'backoff' | 'probe' | 'grace' | 'stable' | 'pause';

export interface StopRequest {
  /** The signal that led here; decides evidence and grace (a dead or stopped agent gets neither). */
  kind: SignalKind;
  /** False when the agent's event loop is not answering: a short SIGTERM grace, evidence first. */
  responsive: boolean;
  incidentId: string | null;
}

export interface LadderAlert {
  kind: 'rung' | 'failed' | 'recovered';
  incidentId: string;
  signal: SignalKind;
  rung?: Rung;
  detail: string;
}

export interface LadderPorts {
  start(): void;
  stop(request: StopRequest): void;
  /** Sends `recover <level>`; false when there is no agent session to send it on. */
  sendRecover(level: 'soft' | 'medium', commandId: string, reason: string): boolean;
  /** Whether the agent can run a recovery handler now (session up, heartbeats flowing, not stopped). */
  isResponsive(): boolean;
  record(event: IncidentEvent): void;
  alert(alert: LadderAlert): void;
  /** Anything shown in status may have changed. */
  changed(): void;
  newIncidentId(): string;
}

export interface LadderConfig {
  softVerifyMs: number;
  mediumVerifyMs: number;
  startupGraceMs: number;
  stableAfterMs: number;
  probeMs: number;
  /** Consecutive rising samples after a rung's result that escalate at once. */
  risingSamples: number;
  /** Restarts operators may ask for (`watchdog.recovery.operator`); 3 in 60 s when absent. */
  operatorRestarts?: OperatorBudgetConfig | undefined;
}

/** The answer to `vigil recover`: accepted (perhaps by joining what is in progress) or why not. */
export interface OperatorOutcome {
  accepted: boolean;
  /** True when the request joined a recovery already in progress instead of starting one. */
  joined?: boolean;
  detail: string;
}

/** What a hard recovery in progress is doing, for the "joined" answer. */
const HARD_IN_PROGRESS: Partial<Record<LadderPhase, string>> = {
  stopping: 'stopping the agent',
  backoff: 'backing off before the next start',
  starting: 'starting the agent',
};

export interface OpenIncident {
  id: string;
  signal: SignalKind;
  detail: string;
  openedAt: number;
  rungs: Rung[];
}

interface PendingCommand {
  id: string;
  level: 'soft' | 'medium';
  sentAt: number;
  resultAt: number | undefined;
}

/** Signals, worst first: when several are active, the worst one is acted on. */
const SEVERITY: readonly SignalKind[] = [
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
const UNRESPONSIVE: ReadonlySet<SignalKind> = new Set([
  'exit',
  'process-stopped',
  'heartbeat-lost',
  'no-hello',
]);
/** Signals that skip soft and medium even when the agent answers (like systemd's MemoryMax). */
const STRAIGHT_TO_HARD: ReadonlySet<SignalKind> = new Set([...UNRESPONSIVE, 'memory-ceiling']);

export class RecoveryLadder {
  readonly #clock: Clock;
  readonly #ports: LadderPorts;
  readonly #config: LadderConfig;
  readonly #policy: RestartPolicy;

  #phase: LadderPhase = 'stopped';
  #incident: OpenIncident | null = null;
  #active = new Map<SignalKind, string>();
  #pending: PendingCommand | null = null;
  #rising = 0;
  /** True from the moment the intensity was exceeded until an agent is stable again. */
  #failed = false;
  #paused: { until: number | null } | null = null;
  #nextRetryAt: number | null = null;
  #operatorRestart = false;
  readonly #operatorBudget: OperatorBudget;
  #commandSeq = 0;
  readonly #timers = new Map<TimerName, { handle: TimerHandle; token: number }>();
  #timerToken = 0;

  constructor(clock: Clock, ports: LadderPorts, config: LadderConfig, policy: RestartPolicy) {
    this.#clock = clock;
    this.#ports = ports;
    this.#config = config;
    this.#policy = policy;
    this.#operatorBudget = new OperatorBudget(
      config.operatorRestarts ?? { maxRestarts: 3, withinMs: 60_000 },
    );
  }

  // ── read side: everything status shows is derived from here ──────────────────────────────

  get phase(): LadderPhase {
    return this.#phase;
  }
  get incident(): Readonly<OpenIncident> | null {
    return this.#incident;
  }
  get failed(): boolean {
    return this.#failed;
  }
  get paused(): { until: number | null } | null {
    return this.#paused;
  }
  /** Monotonic time of the next start attempt while backing off or probing. */
  get nextRetryAt(): number | null {
    return this.#nextRetryAt;
  }
  isActive(kind: SignalKind): boolean {
    return this.#active.has(kind);
  }
  get activeSignals(): ReadonlyMap<SignalKind, string> {
    return this.#active;
  }
  /** The rung in progress, for status: none, soft, medium, or hard (stopping, backing off, restarting). */
  get rung(): Rung | 'none' {
    if (this.#phase === 'soft' || this.#phase === 'medium') return this.#phase;
    if (this.#incident && ['stopping', 'backoff', 'starting', 'failed'].includes(this.#phase)) return 'hard';
    return 'none';
  }

  // ── events ────────────────────────────────────────────────────────────────────────────────

  dispatch(event: LadderEvent): void {
    switch (event.type) {
      case 'begin':
        this.#begin(event.adopted);
        break;
      case 'started':
        this.#onStarted(event.pid);
        break;
      case 'start-failed':
        this.#onStartFailed(event.detail);
        break;
      case 'hello':
        this.#onHello(event.pid);
        break;
      case 'exit':
        this.#onSignal('exit', event.detail);
        break;
      case 'replaced':
        this.#onReplaced(event.pid, event.detail);
        break;
      case 'signal':
        this.#onSignal(event.kind, event.detail);
        break;
      case 'cleared':
        this.#onCleared(event.kind);
        break;
      case 'trend':
        this.#onTrend(event.kind, event.rising);
        break;
      case 'result':
        this.#onResult(event);
        break;
      case 'stopped':
        this.#onStopped(event.how, event.detail);
        break;
      case 'timer':
        this.#onTimer(event.name, event.token);
        break;
    }
    this.#ports.changed();
  }

  /** `vigil recover LEVEL`: enters the same machine as a detector signal would. */
  operatorRecover(level: Rung): OperatorOutcome {
    const outcome = this.#operatorRecover(level);
    // A join or a refusal changes nothing: a script asking in a loop must not cost a status write each.
    if (outcome.accepted && !outcome.joined) this.#ports.changed();
    return outcome;
  }

  /** Maintenance: no recovery action (detection goes on and is logged) until resume or `forMs`. */
  pause(forMs?: number): void {
    const until = forMs === undefined ? null : this.#clock.now() + forMs;
    this.#paused = { until };
    if (this.#incident && this.#phase !== 'stopping' && this.#phase !== 'starting') {
      this.#close('aborted', 'paused by the operator');
    }
    this.#pending = null;
    for (const name of ['verify', 'backoff', 'probe'] as const) this.#clearTimer(name);
    this.#nextRetryAt = null;
    if (this.#phase === 'soft' || this.#phase === 'medium') this.#phase = 'running';
    if (this.#phase === 'backoff' || this.#phase === 'failed') this.#phase = 'stopped';
    if (forMs !== undefined) this.#setTimer('pause', forMs);
    else this.#clearTimer('pause');
    this.#ports.changed();
  }

  resume(): void {
    if (!this.#paused) return;
    this.#paused = null;
    this.#clearTimer('pause');
    if (this.#phase === 'stopped') this.#startAgent(false);
    else if (this.#phase === 'running') this.#actOnWorstActive();
    this.#ports.changed();
  }

  /** The pair is shutting down: no more starts, timers or commands. */
  shutdown(): void {
    if (this.#incident) this.#close('aborted', 'the watchdog is shutting down');
    for (const name of [...this.#timers.keys()]) this.#clearTimer(name);
    this.#phase = 'stopped';
    this.#paused = { until: null };
    this.#ports.changed();
  }

  // ── transitions ───────────────────────────────────────────────────────────────────────────

  #begin(adopted: boolean): void {
    if (adopted) {
      this.#phase = 'starting';
      this.#setTimer('grace', this.#config.startupGraceMs);
    } else {
      this.#startAgent(false);
    }
  }

  #startAgent(isRestart: boolean): void {
    this.#clearTimer('backoff');
    this.#clearTimer('probe');
    this.#nextRetryAt = null;
    this.#active.clear();
    this.#pending = null;
    if (isRestart && !this.#failed) this.#policy.recordRestart(this.#clock.now());
    this.#phase = 'starting';
    this.#setTimer('grace', this.#config.startupGraceMs);
    this.#ports.start();
  }

  #onStarted(pid: number): void {
    if (this.#incident) this.#record('started', { pid });
  }

  #onStartFailed(detail: string): void {
    if (this.#phase !== 'starting') return;
    this.#clearTimer('grace');
    if (!this.#incident) this.#open('exit', `the agent could not be started: ${detail}`);
    this.#record('stopped', { detail: `start failed: ${detail}` });
    this.#afterStop();
  }

  #onHello(pid: number): void {
    if (this.#phase !== 'starting') return;
    this.#clearTimer('grace');
    this.#phase = 'running';
    this.#setTimer('stable', this.#config.stableAfterMs);
    if (this.#incident) {
      const wasFailed = this.#failed;
      this.#close('restarted', `agent pid ${pid} is up`);
      if (wasFailed) {
        this.#failed = false;
        this.#policy.reset();
      }
    }
    this.#actOnWorstActive();
  }

  /**
   * The new agent is adopted as if this watchdog had started it: recorded as an operator's
   * incident of its own, closed at once, with no rung, no alert and no count toward the backoff.
   */
  #onReplaced(pid: number, detail: string): void {
    if (this.#phase === 'stopping') return;
    if (this.#incident) this.#close('aborted', `superseded: ${detail}`);
    for (const name of ['verify', 'backoff', 'probe', 'stable'] as const) this.#clearTimer(name);
    this.#nextRetryAt = null;
    this.#active.clear();
    this.#pending = null;
    this.#operatorRestart = false;
    // The operator acted: a failed period ends, as with `vigil recover hard`.
    this.#failed = false;
    this.#policy.reset();
    this.#open('operator', detail);
    this.#record('started', { pid });
    this.#close('restarted', `adopted agent pid ${pid}, started outside the watchdog`);
    this.#phase = 'starting';
    this.#setTimer('grace', this.#config.startupGraceMs);
  }

  #onSignal(kind: SignalKind, detail: string): void {
    this.#active.set(kind, detail);
    if (this.#paused) {
      // Detection goes on under maintenance; a dead agent simply stays down until resume.
      if (kind === 'exit' && this.#phase !== 'stopping') this.#phase = 'stopped';
      return;
    }
    switch (this.#phase) {
      case 'running':
        this.#openAndClimb(kind, detail);
        break;
      case 'soft':
      case 'medium':
        if (STRAIGHT_TO_HARD.has(kind)) this.#climbTo('hard', `${kind}: ${detail}`, kind);
        break;
      case 'starting':
        if (kind === 'exit' || kind === 'no-hello') {
          this.#clearTimer('grace');
          if (!this.#incident) this.#open(kind, detail);
          this.#climbTo('hard', `${kind}: ${detail}`, kind);
        }
        break;
      default:
        // stopping, backoff, failed, stopped: the agent is already being dealt with, or is down.
        break;
    }
  }

  #onCleared(kind: SignalKind): void {
    this.#active.delete(kind);
    if ((this.#phase === 'soft' || this.#phase === 'medium') && this.#incident?.signal === kind) {
      this.#close('resolved', `${kind} cleared after ${this.#phase}`);
      this.#phase = 'running';
      this.#actOnWorstActive();
    }
  }

  #onTrend(kind: SignalKind, rising: boolean): void {
    if (this.#phase !== 'soft' && this.#phase !== 'medium') return;
    if (this.#incident?.signal !== kind || this.#pending?.resultAt === undefined) return;
    this.#rising = rising ? this.#rising + 1 : 0;
    if (this.#rising >= this.#config.risingSamples) {
      this.#escalate(`${kind} still rising ${this.#rising} samples after ${this.#phase}`);
    }
  }

  #onResult(event: Extract<LadderEvent, { type: 'result' }>): void {
    const pending = this.#pending;
    if (!pending || pending.id !== event.id || (this.#phase !== 'soft' && this.#phase !== 'medium')) return;
    pending.resultAt = this.#clock.now();
    this.#rising = 0;
    this.#record('result', {
      rung: pending.level,
      ok: event.ok,
      durationMs: event.durationMs,
      did: event.did,
      ...(event.error ? { detail: event.error } : {}),
    });
    if (!event.ok)
      return this.#escalate(`${pending.level} handlers failed${event.error ? `: ${event.error}` : ''}`);
    // An operator's rung has no signal to watch: its result is its outcome.
    if (this.#incident?.signal === 'operator') {
      this.#close('resolved', `${pending.level} done`);
      this.#phase = 'running';
      this.#actOnWorstActive();
    }
  }

  #onStopped(how: string, detail: string | undefined): void {
    if (this.#phase !== 'stopping') return;
    this.#record('stopped', { detail: detail ? `${how}: ${detail}` : how });
    this.#afterStop();
  }

  /** After a hard stop: restart now, back off, or declare the agent failed. */
  #afterStop(): void {
    if (this.#paused) {
      this.#phase = 'stopped';
      if (this.#incident) this.#close('aborted', 'paused by the operator');
      return;
    }
    // An operator's restart is deliberate: it neither waits nor counts toward the intensity.
    if (this.#operatorRestart) {
      this.#operatorRestart = false;
      return this.#startAgent(false);
    }
    if (this.#failed) return this.#enterFailed(false);
    const decision = this.#policy.decide(this.#clock.now());
    if (decision.action === 'fail') return this.#enterFailed(true, decision.restarts);
    if (decision.delayMs === 0) return this.#startAgent(true);
    this.#phase = 'backoff';
    this.#nextRetryAt = this.#clock.now() + decision.delayMs;
    this.#record('backoff', { durationMs: decision.delayMs, detail: `restart in ${decision.delayMs} ms` });
    this.#setTimer('backoff', decision.delayMs);
  }

  #enterFailed(first: boolean, restarts?: number): void {
    this.#phase = 'failed';
    this.#nextRetryAt = this.#clock.now() + this.#config.probeMs;
    this.#setTimer('probe', this.#config.probeMs);
    if (!first || !this.#incident) return;
    this.#failed = true;
    const detail = `${restarts} restarts within the intensity window; probing every ${Math.round(this.#config.probeMs / 1000)} s`;
    this.#record('failed', { detail });
    this.#ports.alert({
      kind: 'failed',
      incidentId: this.#incident.id,
      signal: this.#incident.signal,
      detail,
    });
  }

  #onTimer(name: TimerName, token: number): void {
    const current = this.#timers.get(name);
    if (!current || current.token !== token) return;
    this.#timers.delete(name);
    switch (name) {
      case 'grace':
        if (this.#phase === 'starting') {
          this.#onSignal('no-hello', `no hello within ${this.#config.startupGraceMs} ms of the start`);
        }
        break;
      case 'verify':
        if (this.#phase !== 'soft' && this.#phase !== 'medium') break;
        if (this.#incident?.signal === 'operator') {
          // An operator's rung is not escalated behind their back; a hung agent is caught anyway.
          this.#close('aborted', `no result to ${this.#phase} within its verify window`);
          this.#phase = 'running';
        } else if (
          this.#incident &&
          (this.#active.has(this.#incident.signal) || this.#pending?.resultAt === undefined)
        ) {
          const why = this.#pending?.resultAt === undefined ? 'no result' : 'not cleared';
          this.#escalate(`${this.#incident.signal} ${why} within the ${this.#phase} verify window`);
        } else {
          this.#close('resolved', `${this.#incident?.signal ?? 'signal'} cleared after ${this.#phase}`);
          this.#phase = 'running';
          this.#actOnWorstActive();
        }
        break;
      case 'backoff':
        if (this.#phase === 'backoff') this.#startAgent(true);
        break;
      case 'probe':
        if (this.#phase === 'failed') {
          if (this.#incident)
            this.#record('rung', { rung: 'hard', detail: 'probe: one more start while failed' });
          this.#startAgent(true);
        }
        break;
      case 'stable':
        this.#policy.markStable();
        break;
      case 'pause':
        this.resume();
        break;
    }
  }

  #operatorRecover(level: Rung): OperatorOutcome {
    if (this.#paused) return { accepted: false, detail: 'the watchdog is paused; `vigil resume` first' };
    if (level === 'hard') return this.#operatorHard();
    // Asking for what is already being done (or more) joins it rather than starting it over.
    if (this.#phase === 'medium' || (this.#phase === 'soft' && level === 'soft')) {
      return { accepted: true, joined: true, detail: `joined the ${this.#phase} recovery in progress` };
    }
    if (this.#phase !== 'running' && this.#phase !== 'soft') {
      return { accepted: false, detail: `the agent is ${this.#phase}, not running` };
    }
    if (!this.#ports.isResponsive()) {
      return { accepted: false, detail: `the agent is not responsive, so ${level} cannot run; use hard` };
    }
    if (!this.#incident) this.#open('operator', `operator asked for ${level}`);
    this.#climbTo(level, `operator asked for ${level}`, 'operator');
    return { accepted: true, detail: `${level} recovery sent to the agent` };
  }

  /** A hard request joins a restart in progress; a new restart spends the operator budget. */
  #operatorHard(): OperatorOutcome {
    const inProgress = HARD_IN_PROGRESS[this.#phase];
    if (inProgress) {
      return { accepted: true, joined: true, detail: `joined the hard recovery in progress (${inProgress})` };
    }
    const now = this.#clock.now();
    const budget = this.#operatorBudget.check(now);
    if (!budget.ok) return { accepted: false, detail: budget.detail };
    this.#operatorBudget.spend(now);
    if (this.#phase === 'failed' || this.#phase === 'stopped') {
      if (!this.#incident) this.#open('operator', 'operator asked for hard');
      this.#record('rung', { rung: 'hard', detail: 'operator: start now' });
      this.#failed = false;
      this.#policy.reset();
      this.#startAgent(false);
      return { accepted: true, detail: 'starting the agent now' };
    }
    if (!this.#incident) this.#open('operator', 'operator asked for hard');
    this.#operatorRestart = true;
    this.#climbTo('hard', 'operator asked for hard', 'operator');
    return { accepted: true, detail: 'stopping and restarting the agent' };
  }

  // ── the climb ─────────────────────────────────────────────────────────────────────────────

  #openAndClimb(kind: SignalKind, detail: string): void {
    this.#open(kind, detail);
    this.#climbTo(STRAIGHT_TO_HARD.has(kind) ? 'hard' : 'soft', `${kind}: ${detail}`, kind);
  }

  #escalate(reason: string): void {
    const next: Rung = this.#phase === 'soft' ? 'medium' : 'hard';
    this.#record('escalated', { rung: next, detail: reason });
    this.#climbTo(next, reason, this.#incident?.signal ?? 'operator');
  }

  /** Takes rung `target`, skipping rungs the agent cannot run. */
  #climbTo(target: Rung, reason: string, kind: SignalKind): void {
    this.#clearTimer('verify');
    this.#clearTimer('stable');
    this.#pending = null;
    this.#rising = 0;
    let rung = target;
    if (rung !== 'hard' && (!this.#ports.isResponsive() || UNRESPONSIVE.has(kind))) {
      for (const skipped of rung === 'soft' ? (['soft', 'medium'] as const) : (['medium'] as const)) {
        this.#record('skipped', { rung: skipped, detail: 'the agent is not responsive' });
      }
      rung = 'hard';
    }
    const incident = this.#incident;
    if (incident && !incident.rungs.includes(rung)) incident.rungs.push(rung);
    this.#record('rung', { rung, detail: reason });
    // While failed, each probe is one more start, not news: the failure was alerted once.
    if (incident && !this.#failed) {
      this.#ports.alert({
        kind: 'rung',
        incidentId: incident.id,
        signal: incident.signal,
        rung,
        detail: reason,
      });
    }

    if (rung === 'hard') {
      this.#phase = 'stopping';
      this.#ports.stop({
        kind,
        responsive: !UNRESPONSIVE.has(kind) && this.#ports.isResponsive(),
        incidentId: incident?.id ?? null,
      });
      return;
    }
    const id = `${rung}-${++this.#commandSeq}`;
    this.#phase = rung;
    if (!this.#ports.sendRecover(rung, id, reason)) {
      this.#record('result', { rung, ok: false, detail: 'no agent session to send the command on' });
      return this.#escalate(`${rung} could not be sent`);
    }
    this.#pending = { id, level: rung, sentAt: this.#clock.now(), resultAt: undefined };
    this.#setTimer('verify', rung === 'soft' ? this.#config.softVerifyMs : this.#config.mediumVerifyMs);
  }

  #actOnWorstActive(): void {
    if (this.#phase !== 'running' || this.#paused || this.#incident) return;
    const worst = SEVERITY.find((kind) => this.#active.has(kind));
    if (worst) this.#openAndClimb(worst, this.#active.get(worst) ?? '');
  }

  // ── incidents ─────────────────────────────────────────────────────────────────────────────

  #open(signal: SignalKind, detail: string): void {
    this.#incident = {
      id: this.#ports.newIncidentId(),
      signal,
      detail,
      openedAt: this.#clock.wallNow(),
      rungs: [],
    };
    this.#record('opened', { signal, detail });
  }

  #close(outcome: IncidentOutcome, detail: string): void {
    if (!this.#incident) return;
    const incident = this.#incident;
    this.#record('closed', {
      outcome,
      detail,
      durationMs: this.#clock.wallNow() - incident.openedAt,
      ...(incident.rungs.length ? { rung: incident.rungs[incident.rungs.length - 1] } : {}),
    });
    if (outcome === 'restarted' && this.#failed) {
      this.#ports.alert({ kind: 'recovered', incidentId: incident.id, signal: incident.signal, detail });
    }
    this.#incident = null;
    this.#pending = null;
    this.#clearTimer('verify');
  }

  #record(
    kind: IncidentEventKind,
    fields: Partial<Omit<IncidentEvent, 'v' | 'incidentId' | 'at' | 'kind'>> = {},
  ): void {
    if (!this.#incident) return;
    this.#ports.record({ v: 1, incidentId: this.#incident.id, at: this.#clock.wallNow(), kind, ...fields });
  }

  // ── timers ────────────────────────────────────────────────────────────────────────────────

  #setTimer(name: TimerName, ms: number): void {
    this.#clearTimer(name);
    const token = ++this.#timerToken;
    const handle = this.#clock.setTimeout(() => this.dispatch({ type: 'timer', name, token }), ms);
    this.#timers.set(name, { handle, token });
  }

  #clearTimer(name: TimerName): void {
    const timer = this.#timers.get(name);
    if (timer) this.#clock.clearTimeout(timer.handle);
    this.#timers.delete(name);
  }
}

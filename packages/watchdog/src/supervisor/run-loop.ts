/**
 * The supervisor's loop: every source (detectors, the launcher, the heartbeat server, control
 * requests, signals, timers) posts an event; the loop feeds them one at a time through the
 * ladder's `step` and carries out the effects. Timers are the loop's own: an `arm` effect sets a
 * timer that posts its `timer` event back; `disarm` clears it. Events posted while an event is
 * being handled wait their turn, so an effect never re-enters the ladder mid-transition.
 */
import type { Clock, IncidentEvent, TimerHandle } from '@vigil/shared';
import type {
  LadderAlert,
  LadderEffect,
  LadderEvent,
  OperatorOutcome,
  StopRequest,
} from '../ladder/ladder-events.js';
import {
  initialLadderState,
  type LadderConfig,
  type LadderState,
  type TimerName,
} from '../ladder/ladder-state.js';
import { step } from '../ladder/ladder-table.js';

/** What the loop asks of the rest of the watchdog: the effects that touch the world. */
export interface LoopPorts {
  start(): void;
  stop(request: StopRequest): void;
  /** false when there is no session to send it on (the loop then posts `send-failed`). */
  send(level: 'soft' | 'medium', id: string, reason: string): boolean;
  record(event: IncidentEvent): void;
  alert(alert: LadderAlert): void;
  /** Whether the agent can run a recovery handler now: read at each event. */
  responsive(): boolean;
  newIncidentId(): string;
  /** The ladder's state changed: status may have. */
  changed(): void;
}

export class RunLoop {
  readonly #clock: Clock;
  readonly #config: LadderConfig;
  readonly #ports: LoopPorts;
  readonly #random: () => number;
  readonly #timers = new Map<TimerName, TimerHandle>();
  readonly #queue: LadderEvent[] = [];
  #state: LadderState = initialLadderState();
  #draining = false;

  constructor(clock: Clock, config: LadderConfig, ports: LoopPorts, random: () => number = Math.random) {
    this.#clock = clock;
    this.#config = config;
    this.#ports = ports;
    this.#random = random;
  }

  get state(): LadderState {
    return this.#state;
  }

  get config(): LadderConfig {
    return this.#config;
  }

  /**
   * Posts an event; returns the reply when the event was handled at once and asked for one
   * (operator requests, pause, resume). Posted from inside a turn, it waits and gets none.
   */
  post(event: LadderEvent): OperatorOutcome | undefined {
    this.#queue.push(event);
    if (this.#draining) return undefined;
    this.#draining = true;
    let reply: OperatorOutcome | undefined;
    try {
      for (let next = this.#queue.shift(); next; next = this.#queue.shift()) {
        const answer = this.#turn(next);
        if (next === event) reply = answer;
      }
    } finally {
      this.#draining = false;
    }
    return reply;
  }

  /** Clears every timer (the watchdog is going away). */
  close(): void {
    for (const handle of this.#timers.values()) this.#clock.clearTimeout(handle);
    this.#timers.clear();
  }

  #turn(event: LadderEvent): OperatorOutcome | undefined {
    const before = this.#state;
    const [state, effects] = step(before, event, this.#config, {
      now: this.#clock.now(),
      wall: this.#clock.wallNow(),
      responsive: this.#ports.responsive(),
      newIncidentId: () => this.#ports.newIncidentId(),
      random: this.#random,
    });
    this.#state = state;
    let reply: OperatorOutcome | undefined;
    for (const effect of effects) {
      if (effect.type === 'reply') reply = effect.outcome;
      else this.#carryOut(effect);
    }
    // A join or a refusal changes nothing: a script asking in a loop must not cost a status write each.
    if (effects.some((e) => e.type !== 'reply') || JSON.stringify(state) !== JSON.stringify(before)) {
      this.#ports.changed();
    }
    return reply;
  }

  #carryOut(effect: Exclude<LadderEffect, { type: 'reply' }>): void {
    switch (effect.type) {
      case 'arm': {
        this.#clear(effect.name);
        const { name, token } = effect;
        this.#timers.set(
          name,
          this.#clock.setTimeout(() => {
            this.#timers.delete(name);
            this.post({ type: 'timer', name, token });
          }, effect.ms),
        );
        break;
      }
      case 'disarm':
        this.#clear(effect.name);
        break;
      case 'start':
        this.#ports.start();
        break;
      case 'stop':
        this.#ports.stop(effect.request);
        break;
      case 'send':
        if (!this.#ports.send(effect.level, effect.id, effect.reason)) {
          this.#queue.push({ type: 'send-failed', id: effect.id });
        }
        break;
      case 'record':
        this.#ports.record(effect.event);
        break;
      case 'alert':
        this.#ports.alert(effect.alert);
        break;
    }
  }

  #clear(name: TimerName): void {
    const handle = this.#timers.get(name);
    if (handle) this.#clock.clearTimeout(handle);
    this.#timers.delete(name);
  }
}

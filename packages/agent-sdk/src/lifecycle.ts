/**
 * The agent's lifecycle: one state type and one transition table, the only writer of the state
 * the heartbeats report. starting → ready ↔ degraded → stopping → stopped. An event that makes
 * no sense in a state is ignored, so a late restore during shutdown cannot bring a stopping
 * agent back to ready.
 */
import type { AgentLifecycle } from '@vigil/shared';

export type LifecycleState = AgentLifecycle | 'stopped';
export type LifecycleEvent = 'started' | 'degrade' | 'restore' | 'stop' | 'stopped';

const TABLE: Record<LifecycleState, Partial<Record<LifecycleEvent, LifecycleState>>> = {
  starting: { started: 'ready', degrade: 'degraded', stop: 'stopping' },
  ready: { degrade: 'degraded', stop: 'stopping' },
  degraded: { restore: 'ready', degrade: 'degraded', stop: 'stopping' },
  stopping: { stopped: 'stopped' },
  stopped: {},
};

/** The event a service means when it asks for a state with `setState` (the SDK's public API). */
export function eventFor(target: AgentLifecycle, from: LifecycleState): LifecycleEvent | undefined {
  switch (target) {
    case 'ready':
      return from === 'degraded' ? 'restore' : 'started';
    case 'degraded':
      return 'degrade';
    case 'stopping':
      return 'stop';
    case 'starting':
      return undefined;
  }
}

export class Lifecycle {
  #state: LifecycleState = 'starting';
  readonly #onChange: (to: LifecycleState, from: LifecycleState, event: LifecycleEvent) => void;

  constructor(onChange: (to: LifecycleState, from: LifecycleState, event: LifecycleEvent) => void) {
    this.#onChange = onChange;
  }

  get state(): LifecycleState {
    return this.#state;
  }

  /** Applies an event; returns false when the current state does not accept it. */
  send(event: LifecycleEvent): boolean {
    const next = TABLE[this.#state][event];
    if (next === undefined) return false;
    const from = this.#state;
    this.#state = next;
    if (next !== from) this.#onChange(next, from, event);
    return true;
  }
}

/**
 * What the agent says about itself in each heartbeat: health `failing` for `failingForBeats`
 * beats in a row, or an event-loop lag above `maxLagMs`. Either starts the ladder; a later beat
 * that says otherwise clears it.
 */
import type { HeartbeatMessage } from '@vigil/shared';
import type { EmitDetectorEvent } from './detector-event.js';

export interface SelfReportOptions {
  maxLagMs: number;
  failingForBeats: number;
  emit: EmitDetectorEvent;
}

export class SelfReportDetector {
  readonly #o: SelfReportOptions;
  #failingBeats = 0;
  #failing = false;
  #lagging = false;

  constructor(options: SelfReportOptions) {
    this.#o = options;
  }

  reset(): void {
    this.#failingBeats = 0;
    this.#failing = false;
    this.#lagging = false;
  }

  heartbeat(beat: HeartbeatMessage): void {
    const { emit } = this.#o;
    if (beat.health.status === 'failing') {
      this.#failingBeats++;
      if (!this.#failing && this.#failingBeats >= this.#o.failingForBeats) {
        this.#failing = true;
        const names = beat.health.failing?.length ? ` (${beat.health.failing.join(', ')})` : '';
        emit({
          type: 'signal',
          kind: 'self-failing',
          detail: `${beat.health.summary ?? 'agent reports failing'}${names}`,
        });
      }
    } else {
      this.#failingBeats = 0;
      if (this.#failing) {
        this.#failing = false;
        emit({ type: 'cleared', kind: 'self-failing' });
      }
    }
    if (beat.lagMs > this.#o.maxLagMs) {
      if (!this.#lagging) {
        this.#lagging = true;
        emit({
          type: 'signal',
          kind: 'event-loop-lag',
          detail: `event-loop lag ${beat.lagMs.toFixed(0)} ms above ${this.#o.maxLagMs} ms`,
        });
      }
    } else if (this.#lagging) {
      this.#lagging = false;
      emit({ type: 'cleared', kind: 'event-loop-lag' });
    }
  }
}

/** Alert and remediation metrics that count calls, keyed "method:arg:arg". */
import type { AlertMetrics } from '../../src/actions/alert-types.ts';
import type { BreakerState } from '../../src/actions/circuit-breaker.ts';
import type { RemediationMetrics } from '../../src/actions/remediator.ts';

export class CountingMetrics implements AlertMetrics, RemediationMetrics {
  readonly counts = new Map<string, number>();

  get(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  alertSent(sink: string, status: 'firing' | 'resolved'): void {
    this.#inc(`sent:${sink}:${status}`);
  }

  alertSuppressed(reason: 'dedupe' | 'throttle' | 'maintenance' | 'storm'): void {
    this.#inc(`suppressed:${reason}`);
  }

  remediationRun(check: string, result: 'ok' | 'failed' | 'skipped'): void {
    this.#inc(`remediation:${check}:${result}`);
  }

  breakerState(check: string, state: BreakerState): void {
    this.#inc(`breaker:${check}:${state}`);
  }

  #inc(key: string): void {
    this.counts.set(key, this.get(key) + 1);
  }
}

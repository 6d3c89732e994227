/**
 * Storm control. Firing alerts wait in a short window (2 s) that opens with the first one, so
 * checks that go bad together can be counted; when summaryAfter or more go out at once they
 * are sent as ONE summary notice ("5 checks failing: a, b, c, d, e") instead of one each.
 * Resolves never wait and are always sent one by one.
 */
import type { Clock, TimerHandle } from '@vigil/shared';
import type { Alert, AlertNotice } from './alert-types.js';

export const STORM_WINDOW_MS = 2000;

export interface StormWindowOptions {
  clock: Clock;
  windowMs: number;
  /** The checks collected in the window, when it closes. */
  onFlush: (checks: string[]) => void;
}

export class StormWindow {
  readonly #o: StormWindowOptions;
  readonly #pending = new Set<string>();
  #timer: TimerHandle | undefined;

  constructor(options: StormWindowOptions) {
    this.#o = options;
  }

  has(check: string): boolean {
    return this.#pending.has(check);
  }

  add(check: string): void {
    this.#pending.add(check);
    if (this.#o.windowMs <= 0) this.flush();
    else this.#timer ??= this.#o.clock.setTimeout(() => this.flush(), this.#o.windowMs);
  }

  /** The check no longer waits (it returned to ok inside the window). */
  remove(check: string): void {
    this.#pending.delete(check);
  }

  flush(): void {
    this.#o.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    const checks = [...this.#pending];
    this.#pending.clear();
    if (checks.length > 0) this.#o.onFlush(checks);
  }

  close(): void {
    this.#o.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pending.clear();
  }
}

/** The notices for alerts going out together: a storm of the firing ones if there are enough. */
export function groupNotices(alerts: readonly Alert[], summaryAfter: number): AlertNotice[] {
  const firing = alerts.filter((a) => a.status === 'firing');
  const resolved = alerts.filter((a) => a.status === 'resolved');
  const notices: AlertNotice[] = [];
  if (firing.length >= summaryAfter) {
    notices.push({
      kind: 'storm',
      alerts: firing,
      summary: stormSummary(firing.map((a) => a.check)),
      severity: firing.some((a) => a.severity === 'critical') ? 'critical' : 'warning',
    });
  } else {
    for (const alert of firing) notices.push({ kind: 'single', alert });
  }
  for (const alert of resolved) notices.push({ kind: 'single', alert });
  return notices;
}

export function stormSummary(checks: readonly string[]): string {
  return `${checks.length} checks failing: ${checks.join(', ')}`;
}

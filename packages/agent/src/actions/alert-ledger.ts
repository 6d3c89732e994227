/**
 * What each check's alert should be, against what the sinks were last sent. One decision
 * function compares the two: that is the whole of de-duplication ("one alert per incident"),
 * and the reason a resolve is sent only for a firing that went out.
 */
import type { CheckChange } from './action-types.js';
import type { Alert, SuppressReason } from './alert-types.js';

export interface LedgerEntry {
  /** The firing alert the check's state calls for; undefined while ok (or when it never alerts). */
  wanted: Alert | undefined;
  /** The firing alert the sinks hold; undefined when none is open there. */
  delivered: Alert | undefined;
  /** The last alert held back from the sinks, and why (logged once; its resolve is held too). */
  withheld: { alert: Alert; reason: SuppressReason } | undefined;
  /** When and with what summary the check last stopped firing: the resolve's endsAt. */
  endedAt: number;
  endSummary: string;
}

export type Decision =
  | { kind: 'nothing' }
  | { kind: 'send'; alert: Alert }
  | { kind: 'hold'; alert: Alert; reason: SuppressReason };

/** The decision for one check; `throttled` says a new firing of it must wait. */
export function decide(entry: LedgerEntry, throttled: boolean): Decision {
  const { wanted, delivered, withheld } = entry;
  if (!wanted) {
    if (delivered) return { kind: 'send', alert: resolvedFrom(delivered, entry) };
    if (withheld?.alert.status === 'firing') {
      return { kind: 'hold', alert: resolvedFrom(withheld.alert, entry), reason: withheld.reason };
    }
    return { kind: 'nothing' };
  }
  if (delivered?.severity === wanted.severity) return { kind: 'hold', alert: wanted, reason: 'dedupe' };
  if (!delivered && throttled) return { kind: 'hold', alert: wanted, reason: 'throttle' };
  return { kind: 'send', alert: wanted };
}

function resolvedFrom(firing: Alert, entry: LedgerEntry): Alert {
  return { ...firing, status: 'resolved', summary: entry.endSummary, endsAt: entry.endedAt };
}

export class AlertLedger {
  readonly #entries = new Map<string, LedgerEntry>();

  get(check: string): LedgerEntry | undefined {
    return this.#entries.get(check);
  }

  checks(): string[] {
    return [...this.#entries.keys()];
  }

  /** Records a change; returns the entry. A check with alert: false wants no alert at all. */
  apply(change: CheckChange): LedgerEntry {
    let entry = this.#entries.get(change.name);
    if (!entry) {
      entry = { wanted: undefined, delivered: undefined, withheld: undefined, endedAt: 0, endSummary: '' };
      this.#entries.set(change.name, entry);
    }
    if (!change.alert || change.to === 'ok') {
      if (entry.wanted) {
        entry.endedAt = change.at;
        entry.endSummary = change.summary;
      }
      entry.wanted = undefined;
      return entry;
    }
    entry.wanted = {
      check: change.name,
      type: change.type,
      status: 'firing',
      severity: change.to === 'critical' ? 'critical' : 'warning',
      summary: change.summary,
      labels: { ...change.labels },
      startsAt: entry.wanted?.startsAt ?? change.at,
    };
    return entry;
  }

  /** The sinks were sent this alert. */
  markSent(alert: Alert): void {
    const entry = this.#entries.get(alert.check);
    if (!entry) return;
    entry.delivered = alert.status === 'firing' ? alert : undefined;
    entry.withheld = undefined;
  }

  /** The sinks were not sent this alert; false when the same one was already held for that reason. */
  markHeld(alert: Alert, reason: SuppressReason): boolean {
    const entry = this.#entries.get(alert.check);
    if (!entry) return false;
    const before = entry.withheld;
    entry.withheld = { alert, reason };
    return !(
      before &&
      before.reason === reason &&
      before.alert.status === alert.status &&
      before.alert.severity === alert.severity
    );
  }

  /** Firing alerts the sinks hold now (for a sink that replaces another). */
  deliveredFiring(): Alert[] {
    return [...this.#entries.values()].flatMap((e) => (e.delivered ? [e.delivered] : []));
  }
}

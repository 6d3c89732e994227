/**
 * The alert every sink sees, the notice a sink is asked to deliver, and the interfaces the
 * dispatcher talks to (sinks, metrics).
 */

import type { AgentConfig } from '@vigil/shared/config';

export type AlertSeverity = 'warning' | 'critical';
export type AlertStatus = 'firing' | 'resolved';
export type SuppressReason = 'dedupe' | 'throttle' | 'maintenance' | 'storm';

/** One check's alert. Times are epoch milliseconds. */
export interface Alert {
  readonly check: string;
  readonly type: string;
  readonly status: AlertStatus;
  readonly severity: AlertSeverity;
  readonly summary: string;
  readonly labels: Readonly<Record<string, string>>;
  /** When the incident began (the check left ok). */
  readonly startsAt: number;
  /** Set on a resolved alert: when the check returned to ok. */
  readonly endsAt?: number | undefined;
}

/** One alert, or several checks that went bad together, to be sent as one summary. */
export type AlertNotice =
  | { readonly kind: 'single'; readonly alert: Alert }
  | {
      readonly kind: 'storm';
      readonly alerts: readonly Alert[];
      /** "5 checks failing: a, b, c, d, e" */
      readonly summary: string;
      /** The highest severity among the alerts. */
      readonly severity: AlertSeverity;
    };

export interface AlertSink {
  /** The `sink` label of the alert metrics. */
  readonly name: string;
  /** Delivers a notice; resolves to whether it was delivered. Never rejects: failures are logged. */
  send(notice: AlertNotice): Promise<boolean>;
  /** Stops the sink's timers and waits up to graceMs for deliveries in flight, then aborts them. */
  close(graceMs: number): Promise<void>;
}

/** What the runtime wires to prom-client (AgentMetrics has these methods). */
export interface AlertMetrics {
  alertSent(sink: string, status: AlertStatus): void;
  alertSuppressed(reason: SuppressReason): void;
}

export function noticeStatus(notice: AlertNotice): AlertStatus {
  return notice.kind === 'single' ? notice.alert.status : 'firing';
}

export function noticeAlerts(notice: AlertNotice): readonly Alert[] {
  return notice.kind === 'single' ? [notice.alert] : notice.alerts;
}

/** The `agent.alerts` section of the config. */
export type AlertsConfig = AgentConfig['alerts'];

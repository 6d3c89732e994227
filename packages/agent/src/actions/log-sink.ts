/**
 * The sink that is always there: one pino line per alert (warn when firing, info when
 * resolved), one line for a storm. It also records what the other sinks were not sent, so the
 * log tells the whole story during maintenance.
 */
import type { Logger } from '@vigil/shared';
import type { Alert, AlertNotice, AlertSink, SuppressReason } from './alert-types.js';

export class LogSink implements AlertSink {
  readonly name = 'log';
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  async send(notice: AlertNotice): Promise<boolean> {
    this.#write(notice, undefined);
    return true;
  }

  /** Logs a notice that the other sinks did not get, and why. */
  suppressed(notice: AlertNotice, reason: SuppressReason): void {
    this.#write(notice, reason);
  }

  async close(): Promise<void> {}

  #write(notice: AlertNotice, suppressed: SuppressReason | undefined): void {
    const suffix = suppressed ? ` — suppressed (${suppressed})` : '';
    if (notice.kind === 'storm') {
      this.#logger.warn(
        {
          event: 'alert-storm',
          status: 'firing',
          severity: notice.severity,
          checks: notice.alerts.map((a) => a.check),
          suppressed,
        },
        `${notice.summary}${suffix}`,
      );
      return;
    }
    const { alert } = notice;
    const fields = { event: 'alert', ...alertFields(alert), suppressed };
    if (alert.status === 'firing') {
      this.#logger.warn(
        fields,
        `alert firing: ${alert.check} (${alert.severity}): ${alert.summary}${suffix}`,
      );
    } else {
      this.#logger.info(fields, `alert resolved: ${alert.check}: ${alert.summary}${suffix}`);
    }
  }
}

function alertFields(alert: Alert): Record<string, unknown> {
  return {
    check: alert.check,
    checkType: alert.type,
    status: alert.status,
    severity: alert.severity,
    summary: alert.summary,
    labels: alert.labels,
    startsAt: new Date(alert.startsAt).toISOString(),
    endsAt: alert.endsAt === undefined ? undefined : new Date(alert.endsAt).toISOString(),
  };
}

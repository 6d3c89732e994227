/** An in-memory alert sink: records every notice it is sent, synchronously. */
import type { Alert, AlertNotice, AlertSink } from '../../src/actions/alert-types.ts';

export class MemorySink implements AlertSink {
  readonly name = 'memory';
  readonly notices: AlertNotice[] = [];
  closed = false;

  async send(notice: AlertNotice): Promise<boolean> {
    this.notices.push(notice);
    return true;
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** Single alerts only, as "check:status:severity" strings, in order. */
  singles(): string[] {
    return this.notices.flatMap((n) => (n.kind === 'single' ? [describe(n.alert)] : []));
  }

  /** Every notice in order: singles as above, storms as "storm:<check,check>". */
  all(): string[] {
    return this.notices.map((n) =>
      n.kind === 'single' ? describe(n.alert) : `storm:${n.alerts.map((a) => a.check).join(',')}`,
    );
  }

  clear(): void {
    this.notices.length = 0;
  }
}

function describe(alert: Alert): string {
  return `${alert.check}:${alert.status}:${alert.severity}`;
}

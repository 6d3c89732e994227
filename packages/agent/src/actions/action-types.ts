/**
 * What the actions (alerting, remediation) receive: one check's change of state, as the check
 * registry reports it. Defined here so the actions do not depend on the registry's internals.
 */

import type { CheckStatus } from '../checks/check-result.js';
import type { RemediationConfig } from '../config/checks-schema.js';

export interface CheckChange {
  name: string;
  type: string;
  from: CheckStatus;
  to: CheckStatus;
  /** One line saying what is wrong (or that it is fine again). */
  summary: string;
  /** The check's `critical` flag (keeps running when the agent degrades), not its level. */
  critical: boolean;
  labels: Record<string, string>;
  /** The check's `alert` flag: false means it never alerts. */
  alert: boolean;
  remediate?: RemediationConfig | undefined;
  /** When the change happened, epoch milliseconds. */
  at: number;
}

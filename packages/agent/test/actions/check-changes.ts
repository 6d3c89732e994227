/** Builds CheckChange values for tests, stamped with a clock's wall time. */
import type { Clock } from '@vigil/shared';
import type { CheckChange } from '../../src/actions/action-types.ts';
import type { CheckStatus } from '../../src/checks/check-result.ts';

export function checkChange(
  clock: Clock,
  name: string,
  from: CheckStatus,
  to: CheckStatus,
  extra: Partial<CheckChange> = {},
): CheckChange {
  return {
    name,
    type: 'disk',
    from,
    to,
    summary: `${name} is ${to}`,
    critical: false,
    labels: {},
    alert: true,
    at: clock.wallNow(),
    ...extra,
  };
}

/**
 * `systemd`: `systemctl is-active UNIT`, graded by the state it prints: active → ok; a unit
 * on its way (activating, reloading, refreshing) → warn; anything else (inactive, failed,
 * deactivating, unknown, or no answer at all) → critical. The binary is `context.systemctl`,
 * else $VIGIL_SYSTEMCTL, else `systemctl` from the PATH, so tests can stand in a fake.
 */
import type { CheckConfig } from '../config/checks-schema.js';
import { type Check, type CheckOutcome, type CheckStatus, clip } from './check-result.js';
import { runProbe } from './run-probe.js';

type SystemdConfig = Extract<CheckConfig, { type: 'systemd' }>;

const TRANSITIONAL = new Set(['activating', 'reloading', 'refreshing']);

export function systemctlBinary(override: string | undefined, env = process.env): string {
  return override ?? (env.VIGIL_SYSTEMCTL || 'systemctl');
}

export function createSystemdUnitCheck(config: SystemdConfig, systemctl: string): Check {
  return {
    config,
    async run(signal): Promise<CheckOutcome> {
      const probe = await runProbe(systemctl, ['is-active', config.unit], signal);
      if (probe.spawnError !== undefined) {
        return { status: 'critical', summary: clip(`cannot run ${systemctl}: ${probe.spawnError}`) };
      }
      if (probe.aborted) return { status: 'critical', summary: `${config.unit}: systemctl did not answer` };
      const state = probe.stdout.trim().split('\n', 1)[0]?.trim() ?? '';
      if (state === '') {
        // No state line means systemctl itself failed (no systemd, no bus); its stderr says why.
        const why = probe.all.trim().split('\n', 1)[0] || `exit ${probe.exitCode ?? '?'}`;
        return { status: 'critical', summary: clip(`${config.unit}: systemctl: ${why}`) };
      }
      let status: CheckStatus = 'critical';
      if (state === 'active') status = 'ok';
      else if (TRANSITIONAL.has(state)) status = 'warn';
      return { status, summary: clip(`${config.unit} is ${state}`) };
    },
  };
}

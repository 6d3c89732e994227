/**
 * The units' `systemd-analyze security` exposure, gated: the agent at most 2.0, the watchdog at
 * most 3.0 (SECURITY_THRESHOLDS). Offline, on the unit files as `vigil install` writes them.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  AGENT_UNIT,
  agentUnit,
  SECURITY_THRESHOLDS,
  type UnitOptions,
  WATCHDOG_UNIT,
  watchdogUnit,
} from '../../src/systemd/units.ts';

const REPO = fileURLToPath(new URL('../../../../', import.meta.url)).replace(/\/$/, '');
const dir = mkdtempSync(join(tmpdir(), 'vigil-security-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const options: UnitOptions = {
  node: process.execPath,
  prefix: REPO,
  user: 'vigil',
  group: 'vigil',
  configFile: '/etc/vigil/vigil.yaml',
};
const hasAnalyze = spawnSync('sh', ['-c', 'command -v systemd-analyze']).status === 0;

describe('systemd-analyze security of the installed units', () => {
  for (const [unit, text] of [
    [WATCHDOG_UNIT, watchdogUnit(options)],
    [AGENT_UNIT, agentUnit(options)],
  ] as const) {
    const threshold = SECURITY_THRESHOLDS[unit];
    test(`${unit} scores at most ${threshold.toFixed(1)}`, (t) => {
      if (!hasAnalyze) return t.skip('systemd-analyze is not installed (.ci/system-packages installs it)');
      const file = join(dir, unit);
      writeFileSync(file, text);
      // --threshold= is on systemd's internal 0–100 scale: ten times the exposure it prints.
      const scaled = Math.round(threshold * 10);
      const result = spawnSync(
        'systemd-analyze',
        ['security', '--offline=yes', `--threshold=${scaled}`, '--no-pager', file],
        { encoding: 'utf8' },
      );
      const score = Number(/Overall exposure level for \S+: (\d+\.\d)/.exec(result.stdout)?.[1]);
      t.diagnostic(`${unit}: exposure ${score}`);
      assert.ok(Number.isFinite(score), `no score in:\n${result.stdout}${result.stderr}`);
      assert.ok(score <= threshold, `${unit} scores ${score}, above ${threshold}:\n${result.stdout}`);
      assert.equal(result.status, 0, `systemd-analyze --threshold=${scaled} failed:\n${result.stderr}`);
    });
  }
});

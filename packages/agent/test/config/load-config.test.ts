import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { isVigilError } from '@vigil/shared';
import { defaultConfig, loadConfig, loadConfigFile, parseConfig } from '../../src/config/full-config.ts';

const dir = mkdtempSync('/tmp/vg-cfg-');
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Loads a file that must fail; returns the error's message and problem lines. */
function failure(name: string, text: string): { code: string; message: string; errors: string[] } {
  const path = file(name, text);
  try {
    loadConfigFile(path);
  } catch (error) {
    assert.ok(isVigilError(error), `expected a VigilError, got ${String(error)}`);
    assert.ok(error.message.startsWith(path), `message should name the file: ${error.message}`);
    return { code: error.code, message: error.message, errors: (error.detail?.errors as string[]) ?? [] };
  }
  assert.fail(`${name} should not load`);
}

describe('config defaults', () => {
  test('the built-in defaults follow DESIGN.md', () => {
    const c = defaultConfig();
    assert.equal(c.watchdog.heartbeat.intervalMs, 250);
    assert.ok(c.watchdog.heartbeat.timeoutMs >= 1500 && c.watchdog.heartbeat.timeoutMs <= 2000);
    assert.equal(c.watchdog.startup.graceMs, 10_000);
    assert.equal(c.watchdog.resources.sampleIntervalMs, 250);
    assert.equal(c.watchdog.resources.memory.maxRssBytes, undefined, 'memory limit is off unless set');
    assert.equal(c.watchdog.resources.memory.forSamples, 3);
    assert.equal(c.watchdog.resources.cpu.maxPercent, undefined, 'cpu limit is off unless set');
    assert.equal(c.watchdog.resources.cpu.forSamples, 20);
    assert.equal(c.watchdog.selfReport.maxLagMs, 2000);
    assert.equal(c.watchdog.recovery.backoff.initialMs, 500);
    assert.equal(c.watchdog.recovery.backoff.maxMs, 30_000);
    assert.equal(c.watchdog.recovery.intensity.maxRestarts, 5);
    assert.equal(c.watchdog.recovery.intensity.withinMs, 60_000);
    assert.equal(c.agent.faults.enabled, false);
    assert.equal(c.agent.metrics.listen, '127.0.0.1:9464');
    assert.deepEqual(
      c.agent.checks.map((check) => check.type),
      ['disk', 'memory', 'load'],
    );
  });

  test('the result is deeply frozen', () => {
    const c = defaultConfig();
    assert.ok(Object.isFrozen(c));
    assert.ok(Object.isFrozen(c.watchdog.heartbeat));
    assert.ok(Object.isFrozen(c.agent.checks[0]));
    assert.throws(() => {
      (c.watchdog.heartbeat as { intervalMs: number }).intervalMs = 1;
    }, TypeError);
  });

  test('no path means the built-in defaults', () => {
    const loaded = loadConfig(null);
    assert.equal(loaded.source, null);
    assert.deepEqual(loaded.config, defaultConfig());
  });
});

describe('config files', () => {
  test('YAML: given keys override, the rest default', () => {
    const path = file(
      'ok.yaml',
      [
        'watchdog:',
        '  heartbeat: { intervalMs: 100, timeoutMs: 900 }',
        '  resources:',
        '    memory: { maxRssBytes: 157286400, ceilingRssBytes: 188743680 }',
        '  alert: { command: ["/usr/local/bin/notify", "--"], webhook: "http://127.0.0.1:9093/hook" }',
        'agent:',
        '  faults: { enabled: true }',
        '  checks:',
        '    - { type: tcp, name: db, port: 5432 }',
      ].join('\n'),
    );
    const { config, source } = loadConfigFile(path);
    assert.equal(source, path);
    assert.equal(config.watchdog.heartbeat.intervalMs, 100);
    assert.equal(config.watchdog.heartbeat.timeoutMs, 900);
    assert.equal(config.watchdog.resources.memory.maxRssBytes, 157_286_400);
    assert.equal(config.watchdog.resources.memory.forSamples, 3);
    assert.deepEqual(config.watchdog.alert.command, ['/usr/local/bin/notify', '--']);
    assert.equal(config.agent.faults.enabled, true);
    assert.equal(config.agent.checks.length, 1);
    const [tcp] = config.agent.checks;
    assert.equal(tcp?.type, 'tcp');
    assert.equal(tcp?.type === 'tcp' && tcp.host, '127.0.0.1', 'check defaults are filled');
    assert.equal(tcp?.intervalMs, 30_000);
  });

  test('JSON is read as JSON', () => {
    const path = file('ok.json', JSON.stringify({ watchdog: { startup: { graceMs: 5000 } } }));
    assert.equal(loadConfigFile(path).config.watchdog.startup.graceMs, 5000);
  });

  test('YAML 1.2 core schema: "yes" stays a string, so it is a type error', () => {
    const { errors } = failure('yes.yaml', 'agent:\n  faults: { enabled: yes }\n');
    assert.deepEqual(errors, ['agent.faults.enabled: must be true or false, got "yes"']);
  });
});

describe('invalid config files are reported at the right path', () => {
  test('1. timeout not above interval (cross-field rule)', () => {
    const { code, errors } = failure(
      't1.yaml',
      'watchdog:\n  heartbeat: { intervalMs: 250, timeoutMs: 100 }\n',
    );
    assert.equal(code, 'VIGIL_CONFIG_INVALID');
    assert.deepEqual(errors, [
      'watchdog.heartbeat.timeoutMs: must be greater than intervalMs (250), got 100',
    ]);
  });

  test('2. wrong type', () => {
    const { errors } = failure('t2.yaml', 'watchdog:\n  startup: { graceMs: "ten seconds" }\n');
    assert.deepEqual(errors, ['watchdog.startup.graceMs: must be an integer, got "ten seconds"']);
  });

  test('3. misspelt key gets a suggestion', () => {
    const { errors } = failure('t3.yaml', 'watchdog:\n  heartbeat: { intervalMS: 250 }\n');
    assert.deepEqual(errors, ['watchdog.heartbeat.intervalMS: unknown key (did you mean "intervalMs"?)']);
  });

  test('4. out of range', () => {
    const { errors } = failure('t4.yaml', 'watchdog:\n  recovery:\n    intensity: { maxRestarts: 0 }\n');
    assert.deepEqual(errors, ['watchdog.recovery.intensity.maxRestarts: must be >= 1, got 0']);
  });

  test('5. a check missing a required key', () => {
    const { errors } = failure('t5.yaml', 'agent:\n  checks:\n    - { type: tcp, name: db }\n');
    assert.deepEqual(errors, ['agent.checks[0].port: is required']);
  });

  test('6. an unknown check type lists the known ones', () => {
    const { errors } = failure('t6.yaml', 'agent:\n  checks:\n    - { type: ping, name: gw }\n');
    assert.equal(errors.length, 1);
    assert.match(
      errors[0] ?? '',
      /^agent\.checks\[0\]\.type: must be one of "disk", "memory", "load", "process", "tcp", "http", "command", "file", "systemd", got "ping"$/,
    );
  });

  test('7. duplicate check names', () => {
    const { errors } = failure(
      't7.yaml',
      'agent:\n  checks:\n    - { type: disk, name: root }\n    - { type: memory, name: root }\n',
    );
    assert.deepEqual(errors, ['agent.checks[1].name: duplicate name "root" (also agent.checks[0])']);
  });

  test('8. bad enum value', () => {
    const { errors } = failure('t8.yaml', 'watchdog:\n  launcher: docker\n');
    assert.deepEqual(errors, [
      'watchdog.launcher: must be one of "auto", "embedded", "systemd", got "docker"',
    ]);
  });

  test('9. memory ceiling below the limit', () => {
    const { errors } = failure(
      't9.yaml',
      'watchdog:\n  resources:\n    memory: { maxRssBytes: 200000000, ceilingRssBytes: 150000000 }\n',
    );
    assert.deepEqual(errors, [
      'watchdog.resources.memory.ceilingRssBytes: must be greater than maxRssBytes (200000000), got 150000000',
    ]);
  });

  test('10. YAML syntax error names line and column', () => {
    const { code, message } = failure('t10.yaml', 'watchdog:\n  heartbeat: { intervalMs: 250\nagent: {}\n');
    assert.equal(code, 'VIGIL_CONFIG_PARSE');
    assert.match(message, /t10\.yaml:\d+:\d+: not valid YAML/);
  });

  test('11. JSON syntax error names line and column', () => {
    const { code, message } = failure('t11.json', '{\n  "watchdog": {,\n}');
    assert.equal(code, 'VIGIL_CONFIG_PARSE');
    assert.match(message, /t11\.json:2:\d+: not valid JSON/);
  });

  test('12. empty file is refused rather than silently defaulted', () => {
    assert.equal(failure('t12.yaml', '  \n').code, 'VIGIL_CONFIG_EMPTY');
  });

  test('13. top level not a mapping', () => {
    const { message } = failure('t13.yaml', '- watchdog\n- agent\n');
    assert.match(message, /top level must be a mapping/);
  });

  test('14. several problems are all reported', () => {
    const { errors, message } = failure(
      't14.yaml',
      'watchdog:\n  heartbeat: { intervalMs: -5 }\n  bogus: 1\nagent:\n  metrics: { listen: "everywhere" }\n',
    );
    assert.equal(errors.length, 3, errors.join('\n'));
    assert.match(message, /3 problems/);
    assert.ok(errors.some((e) => e.startsWith('watchdog.heartbeat.intervalMs: must be >= 10')));
    assert.ok(errors.some((e) => e.startsWith('watchdog.bogus: unknown key')));
    assert.ok(errors.some((e) => e.startsWith('agent.metrics.listen: must match pattern')));
  });

  test('15. duplicate YAML keys are a parse error', () => {
    assert.equal(failure('t15.yaml', 'watchdog: {}\nwatchdog: {}\n').code, 'VIGIL_CONFIG_PARSE');
  });

  test('16. per-check rules: warn above critical, bad regex', () => {
    const { errors } = failure(
      't16.yaml',
      [
        'agent:',
        '  checks:',
        '    - { type: disk, name: d, warnPercent: 95, criticalPercent: 90 }',
        '    - { type: process, name: p, commandMatch: "([" }',
      ].join('\n'),
    );
    assert.deepEqual(errors, [
      'agent.checks[0].warnPercent: must be less than criticalPercent (90), got 95',
      'agent.checks[1].commandMatch: is not a valid regular expression (Invalid regular expression: /([/: Unterminated character class)',
    ]);
  });

  test('a missing file and parseConfig name their source', () => {
    assert.throws(() => loadConfigFile(join(dir, 'absent.yaml')), { code: 'VIGIL_CONFIG_NOT_FOUND' });
    assert.throws(() => parseConfig('watchdog: 3', 'inline'), /^VigilError: inline: 1 problem/);
  });
});

describe("the agent's checks", () => {
  test('a bad agent check refuses the whole file for `vigil config validate` and the agent', () => {
    const badCheck = JSON.stringify({
      agent: { checks: [{ type: 'http', name: 'site', url: 'ftp://example.invalid/' }] },
    });
    assert.throws(() => loadConfigFile(file('scope-all.json', badCheck)), /agent\.checks\[0\]\.url/);
  });
});

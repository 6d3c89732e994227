/**
 * The /etc/vigil/vigil.yaml that `vigil install` writes when there is none: the built-in
 * defaults (from defaultConfig(), so it never drifts from the schema) as YAML with a line of
 * explanation above each section, and the optional keys as commented examples.
 */
import { defaultConfig } from '@vigil/agent/config';
import { CLI_VERSION } from '../version.js';

const NOTES: Record<string, string[]> = {
  'watchdog.heartbeat': [
    'The agent beats every intervalMs; no beat for timeoutMs: unresponsive (stretched under host pressure).',
  ],
  'watchdog.startup': ["From start to the agent's hello before the start counts as failed."],
  'watchdog.resources': [
    'RSS and CPU of the agent and its descendants. Off until a limit is set, e.g.:',
    '  memory: { maxRssBytes: 157286400, ceilingRssBytes: 188743680 }   # ceiling: straight to hard',
    '  cpu: { maxPercent: 95 }                                           # 100 = one full core',
  ],
  'watchdog.selfReport': ['Event-loop lag the agent reports, and "failing" health for N beats.'],
  'watchdog.pressure': ['Under CPU/memory/IO pressure deadlines stretch (at most maxStretch times).'],
  'watchdog.recovery': [
    'The ladder: soft and medium are judged over verifyMs; hard stops (SIGTERM, then SIGKILL)',
    'and starts again. Restarts back off; above intensity the agent is marked failed and probed.',
  ],
  'watchdog.alert': [
    'The watchdog alerts by itself (the agent may be down), e.g.:',
    '  command: ["/usr/local/bin/notify", "--"]',
    '  webhook: "http://127.0.0.1:9093/hook"',
  ],
  'watchdog.launcher': ['auto: systemd under the installed units, embedded otherwise.'],
  'agent.env': [
    'Extra environment for the agent (and agent.command: another program) apply in embedded mode;',
    'under systemd the agent is vigil-agent.service: use /etc/vigil/agent.env or `systemctl edit`.',
  ],
  'agent.faults': ['Fault injection (`vigil chaos`): for test hosts only.'],
  'agent.checks': [
    'Host checks; each fails after failAfter bad cycles and recovers after recoverAfter good ones.',
  ],
  'agent.alerts': [
    'Where the agent sends alerts, e.g.:',
    '  webhook: "https://hooks.example.com/vigil"',
    '  alertmanager: { url: "http://127.0.0.1:9093" }',
  ],
};

const PLAIN = /^[A-Za-z0-9_./@-][A-Za-z0-9_./:@ -]*$/;
const AMBIGUOUS = /^(true|false|yes|no|on|off|null|~|[-+.\d].*)$/i;

function scalar(value: unknown): string {
  if (typeof value === 'string') {
    return PLAIN.test(value) && !AMBIGUOUS.test(value) && !value.endsWith(' ')
      ? value
      : JSON.stringify(value);
  }
  return String(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function emit(value: Record<string, unknown>, path: string, indent: number): string[] {
  const pad = ' '.repeat(indent);
  const lines: string[] = [];
  for (const [key, child] of Object.entries(value)) {
    for (const note of NOTES[`${path}${key}`] ?? []) lines.push(`${pad}# ${note}`);
    if (isObject(child)) {
      if (Object.keys(child).length === 0) lines.push(`${pad}${key}: {}`);
      else lines.push(`${pad}${key}:`, ...emit(child, `${path}${key}.`, indent + 2));
    } else if (Array.isArray(child)) {
      if (child.length === 0) lines.push(`${pad}${key}: []`);
      else lines.push(`${pad}${key}:`);
      for (const item of child) {
        if (!isObject(item)) {
          lines.push(`${pad}  - ${scalar(item)}`);
          continue;
        }
        const inner = emit(item, `${path}${key}[].`, indent + 4);
        inner[0] = `${pad}  - ${inner[0]?.trimStart()}`;
        lines.push(...inner);
      }
    } else {
      lines.push(`${pad}${key}: ${scalar(child)}`);
    }
  }
  return lines;
}

export function defaultConfigYaml(): string {
  const config = defaultConfig() as unknown as Record<string, unknown>;
  return `${[
    `# vigil configuration, written by \`vigil install\` with the built-in defaults of vigil ${CLI_VERSION}.`,
    '# `vigil install` never overwrites this file and `vigil uninstall` keeps it (--purge removes it).',
    '# Every key is optional: a key left out takes the built-in default. After a change, check it',
    '# with `vigil config validate /etc/vigil/vigil.yaml`, then apply it with',
    '# `systemctl restart vigil-watchdog.service vigil-agent.service`.',
    '',
    ...emit(config, '', 0),
  ].join('\n')}\n`;
}

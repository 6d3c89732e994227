/**
 * The two systemd units `vigil install` writes.
 *
 * vigil-watchdog.service (Type=notify, WatchdogSec=10s, Restart=always) runs `vigil run` with
 * VIGIL_MODE=systemd; it owns /run/vigil (kept across its restarts so the next watchdog adopts
 * the agent), /var/lib/vigil and /var/log/vigil. `Wants=` + `After=` vigil-agent.service: both
 * start at boot, the agent first, and at shutdown the watchdog stops first (it never sees the
 * agent go down as a failure). No PartOf/BindsTo: restarting the watchdog leaves the agent alone.
 *
 * vigil-agent.service (Type=simple) runs the bundled agent with the environment the embedded
 * launcher would give it. The watchdog drives it with systemctl; its own Restart=on-failure
 * (after 5 s) only matters while the watchdog is down, since the watchdog restarts it at once.
 *
 * Both run as the unprivileged service user under the same sandbox; the watchdog may manage
 * vigil-agent.service through a polkit rule (see polkit-rule.ts), nothing else.
 */
import { defaultConfig } from '@vigil/shared';

export const WATCHDOG_UNIT = 'vigil-watchdog.service';
export const AGENT_UNIT = 'vigil-agent.service';

export const RUN_DIR = '/run/vigil';
export const STATE_DIR = '/var/lib/vigil';
export const LOG_DIR = '/var/log/vigil';
export const CONFIG_DIR = '/etc/vigil';

export interface UnitOptions {
  /** Absolute path of the node binary. */
  node: string;
  /** The directory holding packages/watchdog and packages/agent (built). */
  prefix: string;
  user: string;
  group: string;
  /** The config file the agent is told about (VIGIL_CONFIG). */
  configFile: string;
}

/**
 * Quotes one word of ExecStart= (or one Environment= assignment) for systemd: `%` starts a
 * specifier everywhere, `$` a variable only on command lines.
 */
export function systemdWord(word: string, where: 'exec' | 'env' = 'exec'): string {
  let escaped = word.replaceAll('%', '%%');
  if (where === 'exec') escaped = escaped.replaceAll('$', '$$$$');
  return /[\s"'\\;]/.test(escaped) ? `"${escaped.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"` : escaped;
}

const HARDENING = [
  'NoNewPrivileges=yes',
  'ProtectSystem=strict',
  'ProtectHome=yes',
  'PrivateTmp=yes',
  'PrivateDevices=yes',
  'ProtectKernelTunables=yes',
  'ProtectKernelModules=yes',
  'ProtectKernelLogs=yes',
  'ProtectControlGroups=yes',
  'ProtectClock=yes',
  'ProtectHostname=yes',
  'RestrictSUIDSGID=yes',
  'RestrictNamespaces=yes',
  'RestrictRealtime=yes',
  'LockPersonality=yes',
  'SystemCallArchitectures=native',
  // Unprivileged user: no capability is needed, and none can be regained.
  'CapabilityBoundingSet=',
  'AmbientCapabilities=',
  // MemoryDenyWriteExecute= is left off: V8's JIT needs writable+executable pages.
  'UMask=0027',
];

function header(options: UnitOptions): string[] {
  return [
    '# Written by `vigil install`; `vigil uninstall` removes it. Local changes: `systemctl edit`.',
    `# Installed from ${options.prefix}`,
    '',
  ];
}

export function watchdogUnit(options: UnitOptions): string {
  const exec = [options.node, `${options.prefix}/packages/watchdog/dist/bin/vigil.js`, 'run'];
  return `${[
    ...header(options),
    '[Unit]',
    'Description=vigil watchdog: supervises vigil-agent.service over a Unix-socket heartbeat',
    `Wants=${AGENT_UNIT}`,
    // Agent first at boot, watchdog first at shutdown; polkit answers its systemctl calls.
    `After=${AGENT_UNIT} dbus.service polkit.service`,
    // The watchdog must never be given up on: a crash loop is retried every RestartSec for good.
    'StartLimitIntervalSec=0',
    '',
    '[Service]',
    'Type=notify',
    // READY/WATCHDOG come from a helper child process (see sd-notify.ts), not the main pid.
    'NotifyAccess=all',
    'WatchdogSec=10s',
    'Restart=always',
    'RestartSec=1s',
    'TimeoutStartSec=30s',
    'TimeoutStopSec=10s',
    `ExecStart=${exec.map((word) => systemdWord(word)).join(' ')}`,
    'Environment=VIGIL_MODE=systemd',
    'SyslogIdentifier=vigil-watchdog',
    `User=${options.user}`,
    `Group=${options.group}`,
    // Sockets, status.json and agent.pid survive a watchdog restart, so the next one adopts the agent.
    'RuntimeDirectory=vigil',
    'RuntimeDirectoryMode=0750',
    'RuntimeDirectoryPreserve=yes',
    'StateDirectory=vigil',
    'StateDirectoryMode=0750',
    'LogsDirectory=vigil',
    'LogsDirectoryMode=0750',
    'ConfigurationDirectory=vigil',
    ...HARDENING,
    // Unix sockets (heartbeat, control, D-Bus to systemd) and IP for alert webhooks.
    'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
  ].join('\n')}\n`;
}

export function agentUnit(options: UnitOptions): string {
  const defaults = defaultConfig();
  const reportDir = `${STATE_DIR}/reports`;
  const exec = [options.node, '--expose-gc', `${options.prefix}/packages/agent/dist/bin/vigil-agent.js`];
  const env: [string, string][] = [
    ['VIGIL_MODE', 'systemd'],
    ['VIGIL_AGENT_SOCKET', `${RUN_DIR}/agent.sock`],
    ['VIGIL_HEARTBEAT_MS', String(defaults.watchdog.heartbeat.intervalMs)],
    ['VIGIL_REPORT_DIR', reportDir],
    ['VIGIL_CONFIG', options.configFile],
    ['VIGIL_FAULTS', '0'],
    ['NODE_OPTIONS', `--report-on-signal --report-directory=${reportDir}`],
  ];
  return `${[
    ...header(options),
    '[Unit]',
    'Description=vigil agent: host checks, alerts and remediation, supervised by vigil-watchdog.service',
    'After=network.target',
    // The watchdog has its own crash-loop guard; systemd's start limit must not second-guess it.
    'StartLimitIntervalSec=0',
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${exec.map((word) => systemdWord(word)).join(' ')}`,
    ...env.map(([key, value]) => `Environment=${systemdWord(`${key}=${value}`, 'env')}`),
    // Optional overrides, e.g. VIGIL_FAULTS=1 for `vigil chaos` on a test host.
    `EnvironmentFile=-${CONFIG_DIR}/agent.env`,
    'SyslogIdentifier=vigil-agent',
    // Last line of defence while the watchdog is down; the watchdog itself restarts the agent at once.
    'Restart=on-failure',
    'RestartSec=5s',
    'KillMode=control-group',
    'TimeoutStopSec=3s',
    `User=${options.user}`,
    `Group=${options.group}`,
    // Reports and stall evidence go to /var/lib/vigil/reports; /run/vigil belongs to the watchdog.
    'StateDirectory=vigil',
    'StateDirectoryMode=0750',
    'ConfigurationDirectory=vigil',
    ...HARDENING,
    // IP for metrics, webhooks and network checks; netlink for interface information.
    'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
  ].join('\n')}\n`;
}

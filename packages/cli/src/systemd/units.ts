/**
 * The two systemd units `vigil install` writes.
 *
 * vigil-watchdog.service (Type=notify, WatchdogSec=10s, Restart=always) runs `vigil run` with
 * VIGIL_MODE=systemd; it owns /run/vigil (kept across its restarts so the next watchdog adopts
 * the agent), /var/lib/vigil and /var/log/vigil. `Wants=` + `After=` vigil-agent.service: both
 * start at boot, the agent first, and at shutdown the watchdog stops first (it never sees the
 * agent go down as a failure). No PartOf/BindsTo: restarting the watchdog leaves the agent alone.
 *
 * vigil-agent.service (Type=exec, Restart=no, KillMode=control-group) runs the bundled agent
 * with the environment the embedded launcher would give it. The watchdog's ladder owns every
 * restart of it (first at once, its backoff, its crash-loop guard): a Restart= of the unit's
 * own would race it. While the watchdog is down, systemd restarts the watchdog, which restarts
 * the agent.
 *
 * Both run as the unprivileged service user under the same sandbox; the watchdog may manage
 * vigil-agent.service through a polkit rule (see polkit-rule.ts), nothing else. Each sandbox
 * option a unit cannot have is named in the unit with the reason, and CI gates the
 * `systemd-analyze security` exposure of both (see SECURITY_THRESHOLDS).
 */
import { defaultConfig } from '@vigil/shared/config';
import { BUNDLED_AGENT_NODE_FLAGS, DAEMON_NODE_FLAGS } from '@vigil/watchdog/node-flags';

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

/** The highest `systemd-analyze security` exposure CI accepts for each unit. */
export const SECURITY_THRESHOLDS = { [WATCHDOG_UNIT]: 3.0, [AGENT_UNIT]: 2.0 } as const;

const HARDENING = [
  'NoNewPrivileges=yes',
  'ProtectSystem=strict',
  'ProtectHome=yes',
  'PrivateTmp=yes',
  'PrivateDevices=yes',
  'PrivateMounts=yes',
  'ProtectKernelTunables=yes',
  'ProtectKernelModules=yes',
  'ProtectKernelLogs=yes',
  // Read-only: the watchdog still reads and inotify-watches the agent unit's cgroup.events.
  'ProtectControlGroups=yes',
  'ProtectClock=yes',
  'ProtectHostname=yes',
  'RestrictSUIDSGID=yes',
  'RestrictNamespaces=yes',
  'RestrictRealtime=yes',
  'LockPersonality=yes',
  'RemoveIPC=yes',
  'SystemCallArchitectures=native',
  'SystemCallFilter=@system-service',
  'SystemCallFilter=~@privileged @resources',
  // A call outside the filter fails with EPERM instead of killing node (libuv probes io_uring, setrlimit).
  'SystemCallErrorNumber=EPERM',
  // Unprivileged user: no capability is needed, and none can be regained.
  'CapabilityBoundingSet=',
  'AmbientCapabilities=',
  // Group vigil (operators) reads status and reports; nobody else.
  'UMask=0027',
];

/** Sandbox options neither unit can have, with the reason, as comments in the unit. */
const NOT_SET = [
  '# Not set, and why:',
  "# MemoryDenyWriteExecute=: V8's JIT needs writable+executable pages.",
  '# RootDirectory=: the units run node and the checkout from the host.',
  '# UMask=0077: group vigil (operators) reads status, history and reports.',
];

function header(options: UnitOptions): string[] {
  return [
    '# Written by `vigil install`; `vigil uninstall` removes it. Local changes: `systemctl edit`.',
    `# Installed from ${options.prefix}`,
    '',
  ];
}

export function watchdogUnit(options: UnitOptions): string {
  const exec = [
    options.node,
    ...DAEMON_NODE_FLAGS,
    `${options.prefix}/packages/watchdog/dist/bin/vigil-watchdog.js`,
  ];
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
    // The status socket is chowned to group vigil, which @privileged would refuse.
    'SystemCallFilter=@chown',
    // Other users' processes are hidden; the agent runs as the same user, so its /proc stays readable.
    'ProtectProc=invisible',
    // Unix sockets (heartbeat, control, D-Bus to systemd) and IP for alert webhooks.
    'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6',
    ...NOT_SET,
    '# PrivateNetwork=, IPAddressDeny=: alert webhooks may go to any address.',
    '# ProcSubset=pid: host-pressure detection reads /proc/pressure and /proc/loadavg.',
    '# PrivateUsers=: the watchdog signals the agent and reads its /proc, outside any user namespace of its own.',
    '# NotifyAccess=main: READY=1 and WATCHDOG=1 come from a helper child (sd-notify.ts).',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
  ].join('\n')}\n`;
}

export function agentUnit(options: UnitOptions): string {
  const defaults = defaultConfig();
  const reportDir = `${STATE_DIR}/reports`;
  const exec = [
    options.node,
    ...BUNDLED_AGENT_NODE_FLAGS,
    `${options.prefix}/packages/agent/dist/bin/vigil-agent.js`,
  ];
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
    // exec: MainPID is node once it runs (not systemd's fork), and a start fails when node cannot be executed.
    'Type=exec',
    `ExecStart=${exec.map((word) => systemdWord(word)).join(' ')}`,
    ...env.map(([key, value]) => `Environment=${systemdWord(`${key}=${value}`, 'env')}`),
    // Optional overrides, e.g. VIGIL_FAULTS=1 for `vigil chaos` on a test host.
    `EnvironmentFile=-${CONFIG_DIR}/agent.env`,
    'SyslogIdentifier=vigil-agent',
    // The watchdog's ladder owns every restart (at once, then its backoff and crash-loop guard).
    'Restart=no',
    // Stopping the unit kills everything the agent started, detached or not.
    'KillMode=control-group',
    'TimeoutStopSec=3s',
    `User=${options.user}`,
    `Group=${options.group}`,
    // Reports and stall evidence go to /var/lib/vigil/reports; /run/vigil belongs to the watchdog.
    'StateDirectory=vigil',
    'StateDirectoryMode=0750',
    'ConfigurationDirectory=vigil',
    ...HARDENING,
    // IP for metrics, webhooks and network checks; netlink for glibc's getaddrinfo (AI_ADDRCONFIG).
    'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK',
    ...NOT_SET,
    '# PrivateNetwork=, IPAddressDeny=: network checks, webhooks and Alertmanager may be at any address.',
    '# ProtectProc=, ProcSubset=pid: host checks read every process and /proc/meminfo, /proc/loadavg.',
    "# PrivateUsers=: host checks and remediation commands see files' and processes' real owners.",
    '',
    '[Install]',
    'WantedBy=multi-user.target',
  ].join('\n')}\n`;
}

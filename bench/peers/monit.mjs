/**
 * monit (Debian's `monit`), with its own control file (0600), state, id, log and unix socket in
 * the trial directory, run in the foreground (`monit -I -c cfg`) at its shortest poll,
 * `set daemon 1`. monit starts programs, not processes: the start program backgrounds the app
 * and writes the pidfile monit checks; the stop program signals that pid.
 *
 * Hang/stop detection is opt-in in monit and written by hand: the app touches a heartbeat file
 * every 250 ms and a `check file` rule restarts the app when the file's timestamp is older than
 * 2 s. The rule is only in the config of the hang and stop scenarios (the memory rule only in
 * the leak's), as each peer only gets the limit a scenario is about.
 *
 * The app is an orphan once the start program exits, so it is reaped by PID 1 — at once under
 * systemd, but up to a second late under some container inits, which monit would see as a
 * zombie for a whole cycle. monit therefore runs under `tini -s` (a subreaper) when present, so
 * the app's death is seen as a real init would show it.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { APP_SCRIPT, appEnv } from '../lib/app-spec.mjs';
import { isAlive } from '../lib/proc.mjs';
import { stopChild } from '../lib/processes.mjs';

const MONIT = '/usr/bin/monit';
const TINI = '/usr/bin/tini';
const quote = (value) => `'${String(value).replaceAll("'", "'\\''")}'`;

function readPid(file) {
  try {
    return Number(readFileSync(file, 'utf8').trim()) || null;
  } catch {
    return null;
  }
}

function paths(dir) {
  return {
    cfg: join(dir, 'monitrc'),
    pidfile: join(dir, 'app.pid'),
    start: join(dir, 'start-app.sh'),
    stop: join(dir, 'stop-app.sh'),
    socket: join(dir, 'monit.sock'),
  };
}

function controlFile({ dir, files, memoryLimit, hangRule }) {
  const p = paths(dir);
  const lines = [
    'set daemon 1',
    `set logfile ${join(dir, 'monit.log')}`,
    `set pidfile ${join(dir, 'monit.pid')}`,
    `set idfile ${join(dir, 'monit.id')}`,
    `set statefile ${join(dir, 'monit.state')}`,
    `set httpd unixsocket ${p.socket}`,
    // Without an allow rule monit does not start its httpd, and so the CLI cannot reach it.
    '  allow localhost',
    '',
    `check process app with pidfile ${p.pidfile}`,
    `  start program = "/bin/sh ${p.start}"`,
    `  stop program = "/bin/sh ${p.stop}"`,
  ];
  if (memoryLimit) lines.push('  if totalmem > 150 MB then restart');
  lines.push('  if 5 restarts within 10 cycles then unmonitor');
  if (hangRule) {
    lines.push(
      '',
      `check file hb with path ${files.hb}`,
      `  if timestamp > 2 seconds then exec "${MONIT} -c ${p.cfg} restart app"`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function startScript({ dir, env }) {
  const p = paths(dir);
  const assignments = Object.entries(env)
    .map(([k, v]) => `${k}=${quote(v)}`)
    .join(' ');
  return `#!/bin/sh
# monit's start program: the app in the background with a clean environment, its pid for monit.
env -i ${assignments} ${quote(process.execPath)} ${quote(APP_SCRIPT)} >>${quote(join(dir, 'app.out'))} 2>&1 </dev/null &
echo $! >${quote(p.pidfile)}
`;
}

function stopScript({ dir }) {
  const p = paths(dir);
  return `#!/bin/sh
# monit's stop program: SIGTERM (with SIGCONT, so a stopped app can act on it), SIGKILL after 2 s.
pid=$(cat ${quote(p.pidfile)} 2>/dev/null)
[ -n "$pid" ] || exit 0
kill -TERM "$pid" 2>/dev/null
kill -CONT "$pid" 2>/dev/null
i=0
while [ $i -lt 20 ]; do
  state=$(cut -d')' -f2 /proc/$pid/stat 2>/dev/null | cut -d' ' -f2)
  if [ -z "$state" ] || [ "$state" = Z ]; then exit 0; fi
  sleep 0.1
  i=$((i + 1))
done
kill -KILL "$pid" 2>/dev/null
exit 0
`;
}

export const monit = {
  name: 'monit',
  features: { hang: true, stop: true, memoryCheckMs: 1000 },

  async version(keeper) {
    const out = await keeper.run(MONIT, ['-V'], { env: keeper.env(), timeoutMs: 10_000 });
    return /version ([\d.]+)/.exec(out.stdout)?.[1] ?? 'not installed';
  },

  async summary() {
    return 'monit: `set daemon 1`, `check process app with pidfile …` + start/stop programs, `if 5 restarts within 10 cycles then unmonitor`; hang and stop scenarios add `check file hb with path <hb> if timestamp > 2 seconds then exec "/usr/bin/monit -c <cfg> restart app"` (the app touches <hb> every 250 ms); leak adds `if totalmem > 150 MB then restart`; run as `tini -s -- monit -I -c cfg`';
  },

  describeConfig(options) {
    const dir = '<trial dir>';
    const files = { events: `${dir}/events`, control: `${dir}/ctl`, hb: `${dir}/hb` };
    const env = {
      PATH: '<PATH>',
      HOME: '<HOME>',
      ...appEnv(files, { mode: options.mode, heartbeatFile: options.hangRule }),
    };
    return [
      controlFile({ dir, files, ...options }),
      `# ${dir}/start-app.sh`,
      startScript({ dir, env }),
      `# ${dir}/stop-app.sh`,
      stopScript({ dir }),
    ].join('\n');
  },

  async start({ keeper, dir, files, mode = 'run', memoryLimit = false, hangRule = false }) {
    const p = paths(dir);
    const env = keeper.env();
    writeFileSync(
      p.start,
      startScript({ dir, env: { ...env, ...appEnv(files, { mode, heartbeatFile: hangRule }) } }),
    );
    writeFileSync(p.stop, stopScript({ dir }));
    writeFileSync(p.cfg, controlFile({ dir, files, memoryLimit, hangRule }));
    chmodSync(p.cfg, 0o600);
    if (hangRule) writeFileSync(files.hb, '');
    const [command, ...args] = [...(existsSync(TINI) ? [TINI, '-s', '--'] : []), MONIT, '-I', '-c', p.cfg];
    const child = keeper.spawn(command, args, { env, cwd: dir, logFile: join(dir, 'monit.out') });
    const monitPid = () => readPid(join(dir, 'monit.pid'));
    const cli = (args) => keeper.run(MONIT, ['-c', p.cfg, '-B', ...args], { env, timeoutMs: 15_000 });
    const pidFromFile = () => readPid(p.pidfile);
    return {
      supervisorPids: () => [monitPid()].filter(Boolean),
      appPid: pidFromFile,
      statusCommand: () => ({ command: MONIT, args: ['-c', p.cfg, 'status'], env }),
      // Ready once monit itself reports the app running with that pid (its first cycle is done).
      async isReady() {
        const pid = pidFromFile();
        if (pid === null || !isAlive(pid)) return false;
        const out = await cli(['status', 'app']);
        return (
          new RegExp(`^\\s*pid\\s+${pid}\\s*$`, 'm').test(out.stdout) && /^\s*status\s+OK/m.test(out.stdout)
        );
      },
      async state() {
        const out = await cli(['status', 'app']);
        const status = /^\s*status\s+(.*)$/m.exec(out.stdout)?.[1]?.trim();
        const monitoring = /^\s*monitoring status\s+(.*)$/m.exec(out.stdout)?.[1]?.trim();
        return status
          ? `${status} (${monitoring ?? '?'})`
          : `monit status exit ${out.code}: ${out.stderr.trim()}`;
      },
      stop: () => stopChild(child, { timeoutMs: 10_000, what: 'monit to exit after SIGTERM' }),
    };
  },
};

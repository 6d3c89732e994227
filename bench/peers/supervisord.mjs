/**
 * supervisord (Debian's `supervisor`), with its own config, socket, pidfile and logs in the
 * trial directory, run as a child in the foreground (`supervisord -c cfg -n`). It has no
 * memory limit and no hang detection.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { APP_SCRIPT, appEnv } from '../lib/app-spec.mjs';
import { childrenOf, cmdlineOf, isAlive } from '../lib/proc.mjs';
import { stopChild } from '../lib/processes.mjs';

/** supervisord's environment= syntax: KEY="value",… */
function environmentLine(env) {
  return Object.entries(env)
    .map(([k, v]) => `${k}="${v.replaceAll('"', '\\"')}"`)
    .join(',');
}

function config({ dir, files, mode }) {
  return `[unix_http_server]
file=${join(dir, 'supervisor.sock')}

[supervisord]
nodaemon=true
pidfile=${join(dir, 'supervisord.pid')}
logfile=${join(dir, 'supervisord.log')}
childlogdir=${dir}

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisorctl]
serverurl=unix://${join(dir, 'supervisor.sock')}

[program:app]
command=${process.execPath} ${APP_SCRIPT}
environment=${environmentLine(appEnv(files, { mode }))}
autorestart=true
startsecs=0
startretries=5
stdout_logfile=${join(dir, 'app.out')}
redirect_stderr=true
`;
}

export const supervisord = {
  name: 'supervisord',
  features: { hang: false, stop: false, memoryCheckMs: null },

  async version(keeper) {
    const out = await keeper.run('supervisord', ['--version'], { env: keeper.env(), timeoutMs: 10_000 });
    return out.code === 0 ? out.stdout.trim() : 'not installed';
  },

  async summary() {
    return 'supervisord: own config per trial, `[program:app] autorestart=true startsecs=0 startretries=5`, run as `supervisord -c cfg -n`; no memory limit or hang detection';
  },

  describeConfig(options) {
    return config({ dir: '<trial dir>', files: { events: '<events>', control: '<ctl>' }, ...options });
  },

  async start({ keeper, dir, files, mode = 'run' }) {
    const cfg = join(dir, 'supervisord.conf');
    writeFileSync(cfg, config({ dir, files, mode }));
    const env = keeper.env();
    const child = keeper.spawn('supervisord', ['-c', cfg, '-n'], {
      env,
      cwd: dir,
      logFile: join(dir, 'supervisord.out'),
    });
    // The app is supervisord's direct child: that is how supervisord knows it.
    const appPid = () =>
      childrenOf(child.pid).find((pid) => cmdlineOf(pid).includes(APP_SCRIPT) && isAlive(pid)) ?? null;
    return {
      supervisorPids: () => [child.pid],
      appPid,
      statusCommand: () => ({ command: 'supervisorctl', args: ['-c', cfg, 'status'], env }),
      isReady: () => appPid() !== null,
      async state() {
        const out = await keeper.run('supervisorctl', ['-c', cfg, 'status', 'app'], {
          env,
          timeoutMs: 15_000,
        });
        // `app RUNNING pid 9713, uptime 0:00:00` → `RUNNING`: stable words only, so states group.
        const text = out.stdout
          .trim()
          .replace(/^app\s+/, '')
          .replace(/\s*pid \d+, uptime [\d:]+/, '')
          .replace(/\s+/g, ' ');
        return text || `supervisorctl exit ${out.code}: ${out.stderr.trim()}`;
      },
      stop: () => stopChild(child, { timeoutMs: 15_000, what: 'supervisord to exit after SIGTERM' }),
    };
  },
};

/**
 * PM2 from npm (installed into a temp prefix by install-peers.sh), with its own PM2_HOME:
 * `pm2 start app.mjs --name bench` in fork mode, `--max-memory-restart 150M` for the leak,
 * `pm2 kill` to stop. Everything else is PM2's default (restart at once; 16 unstable restarts
 * under min_uptime 1 s → errored; memory checked by its worker every 30 s).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { APP_SCRIPT, appEnv } from '../lib/app-spec.mjs';
import { isAlive } from '../lib/proc.mjs';
import { signal } from '../lib/processes.mjs';

function readText(path) {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
}

function startArgs(memoryLimit) {
  const args = ['start', APP_SCRIPT, '--name', 'bench'];
  if (memoryLimit) args.push('--max-memory-restart', '150M');
  return args;
}

export function pm2Peer(prefix) {
  const bin = join(prefix, 'node_modules', '.bin', 'pm2');
  return {
    name: 'pm2',
    features: { hang: false, stop: false, memoryCheckMs: 30_000 },

    version() {
      const text = readText(join(prefix, 'node_modules', 'pm2', 'package.json'));
      return text ? JSON.parse(text).version : 'not installed';
    },

    async summary() {
      return `PM2 ${this.version()}: \`pm2 start app.mjs --name bench\` (fork mode, defaults), own PM2_HOME per trial; leak scenario adds \`--max-memory-restart 150M\` (checked every 30 s by PM2's worker, its default)`;
    },

    describeConfig({ memoryLimit = false } = {}) {
      return [
        `PM2_HOME=<trial dir>/pm2 pm2 ${startArgs(memoryLimit).join(' ')}`,
        'fork mode, PM2 defaults otherwise: autorestart, restart_delay 0, min_uptime 1000 ms,',
        'max_restarts 16, kill_timeout 1600 ms; the memory limit is checked by the PM2 worker every',
        'PM2_WORKER_INTERVAL = 30000 ms (default). No hang or stop detection exists in PM2.',
      ].join('\n');
    },

    async start({ keeper, dir, files, mode = 'run', memoryLimit = false }) {
      const home = join(dir, 'pm2');
      // The CLI's environment is the daemon's and, merged with PM2's own variables, the app's.
      const env = keeper.env({ PM2_HOME: home, ...appEnv(files, { mode }) });
      const cli = (args, timeoutMs = 30_000) => keeper.run(bin, args, { env, cwd: dir, timeoutMs });
      const started = await cli(startArgs(memoryLimit));
      if (started.code !== 0)
        throw new Error(`pm2 start exited ${started.code}: ${started.stderr || started.stdout}`);
      const daemonPid = () => Number(readText(join(home, 'pm2.pid'))) || null;
      const appPid = () => Number(readText(join(home, 'pids', 'bench-0.pid'))) || null;
      return {
        supervisorPids: () => [daemonPid()].filter(Boolean),
        appPid,
        statusCommand: () => ({ command: bin, args: ['jlist'], env }),
        isReady: () => {
          const pid = appPid();
          return pid !== null && isAlive(pid);
        },
        async state() {
          const out = await cli(['jlist'], 15_000);
          try {
            const app = JSON.parse(out.stdout).find((p) => p.name === 'bench');
            if (!app) return 'not in pm2 jlist';
            const e = app.pm2_env;
            return `${e.status}, ${e.restart_time} restarts, ${e.unstable_restarts} unstable`;
          } catch {
            return `pm2 jlist unreadable (exit ${out.code})`;
          }
        },
        async stop() {
          const pid = daemonPid();
          await cli(['kill'], 20_000);
          if (pid && isAlive(pid)) signal(pid, 'SIGKILL');
        },
      };
    },
  };
}

/** The benchmark's command line: every trial count and duration is a flag. */
import { parseArgs } from 'node:util';

export const SCENARIOS = [
  'kill9',
  'hang',
  'sigstop',
  'leak',
  'idle',
  'crashLoop',
  'schedIdle',
  'schedLimits',
  'startup',
  'statusLatency',
  'memFloor',
  'cpuFloor',
];
export const PEERS = ['vigil', 'pm2', 'supervisord', 'monit'];

const DEFAULTS = {
  trials: 10,
  floorTrials: 10,
  capSeconds: 60,
  leakCapSeconds: 60,
  capStreak: 3,
  idleSeconds: 60,
  idleSettleSeconds: 10,
  crashSeconds: 60,
  statusCalls: 30,
};

/** --quick: a smoke run of a few minutes, not figures to publish. */
const QUICK = {
  trials: 2,
  floorTrials: 5,
  capSeconds: 15,
  leakCapSeconds: 45,
  capStreak: 1,
  idleSeconds: 10,
  idleSettleSeconds: 2,
  crashSeconds: 12,
  statusCalls: 5,
};

export const HELP = `Usage: node bench/run.mjs [options]

vigil against PM2, supervisord and monit on the same app: recovery from kill -9, a blocked
event loop, SIGSTOP and a memory leak; idle cost; crash-loop behaviour; and the bare floor
(node app.mjs spawn → started). Prints a markdown table; writes bench/results/<date>-<host>.json.

Options:
  --trials N               trials per figure (default ${DEFAULTS.trials})
  --floor-trials N         bare-floor trials, spread over the kill -9 rounds (default ${DEFAULTS.floorTrials})
  --quick                  smoke run: ${Object.entries(QUICK)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')}
  --cap-seconds S          hang/stop/kill trials give up ("never") after S (default ${DEFAULTS.capSeconds})
  --leak-cap-seconds S     the leak trial's cap (default ${DEFAULTS.leakCapSeconds})
  --cap-streak N           after N capped trials in a row, a peer's remaining trials of that figure are
                           recorded as never without running (default ${DEFAULTS.capStreak}; 0 runs them all)
  --idle-seconds S         idle measurement window (default ${DEFAULTS.idleSeconds})
  --idle-settle-seconds S  wait after the app is up before the idle window (default ${DEFAULTS.idleSettleSeconds})
  --crash-seconds S        crash-loop window (default ${DEFAULTS.crashSeconds})
  --status-calls N         status-command calls per trial, for its median and p95 (default ${DEFAULTS.statusCalls})
  --only LIST              scenarios, comma-separated: ${SCENARIOS.join(',')}
  --peers LIST             peers, comma-separated: ${PEERS.join(',')}
  --peers-prefix DIR       where PM2 is installed (default /tmp/vigil-bench-peers)
  --skip-install           do not run bench/install-peers.sh
  --out FILE               results file (default bench/results/<date>-<host>.json)
  --keep-tmp               keep each trial's directory (configs, logs) for inspection
  -h, --help

Signals: SIGINT/SIGTERM kill every process of the run (by pid and process group, checked in
/proc), write the results so far with "aborted": true, and exit 130.
Exit codes: 0 done (figures may still miss targets), 1 could not run, 64 usage, 130 interrupted.`;

export class UsageError extends Error {}

function positive(name, raw, { integer = true, zero = false } = {}) {
  const value = Number(raw);
  const ok =
    Number.isFinite(value) && (integer ? Number.isInteger(value) : true) && (zero ? value >= 0 : value > 0);
  if (!ok)
    throw new UsageError(
      `--${name} wants a ${zero ? 'non-negative' : 'positive'} ${integer ? 'whole ' : ''}number, got ${JSON.stringify(raw)}`,
    );
  return value;
}

function list(name, raw, allowed) {
  const items = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = items.filter((s) => !allowed.includes(s));
  if (unknown.length || items.length === 0) {
    throw new UsageError(
      `--${name}: unknown ${unknown.join(', ') || '(empty)'}; choose from ${allowed.join(', ')}`,
    );
  }
  return allowed.filter((s) => items.includes(s));
}

export function parseFlags(argv) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      options: {
        trials: { type: 'string' },
        'floor-trials': { type: 'string' },
        quick: { type: 'boolean' },
        'cap-seconds': { type: 'string' },
        'leak-cap-seconds': { type: 'string' },
        'cap-streak': { type: 'string' },
        'idle-seconds': { type: 'string' },
        'idle-settle-seconds': { type: 'string' },
        'crash-seconds': { type: 'string' },
        'status-calls': { type: 'string' },
        only: { type: 'string' },
        peers: { type: 'string' },
        'peers-prefix': { type: 'string' },
        'skip-install': { type: 'boolean' },
        out: { type: 'string' },
        'keep-tmp': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError(error.message);
  }
  const v = parsed.values;
  const base = v.quick ? { ...DEFAULTS, ...QUICK } : { ...DEFAULTS };
  const pick = (name, key, opts) => (v[name] === undefined ? base[key] : positive(name, v[name], opts));
  return {
    help: Boolean(v.help),
    quick: Boolean(v.quick),
    trials: pick('trials', 'trials'),
    floorTrials: pick('floor-trials', 'floorTrials'),
    capSeconds: pick('cap-seconds', 'capSeconds', { integer: false }),
    leakCapSeconds: pick('leak-cap-seconds', 'leakCapSeconds', { integer: false }),
    capStreak: pick('cap-streak', 'capStreak', { zero: true }),
    idleSeconds: pick('idle-seconds', 'idleSeconds', { integer: false }),
    idleSettleSeconds: pick('idle-settle-seconds', 'idleSettleSeconds', { integer: false, zero: true }),
    crashSeconds: pick('crash-seconds', 'crashSeconds', { integer: false }),
    statusCalls: pick('status-calls', 'statusCalls'),
    only: v.only ? list('only', v.only, SCENARIOS) : SCENARIOS,
    peers: v.peers ? list('peers', v.peers, PEERS) : PEERS,
    peersPrefix: v['peers-prefix'] ?? '/tmp/vigil-bench-peers',
    skipInstall: Boolean(v['skip-install']),
    out: v.out ?? null,
    keepTmp: Boolean(v['keep-tmp']),
  };
}

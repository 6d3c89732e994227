/**
 * Node flags for the watchdog daemon, where vigil writes its command line (the systemd unit's
 * ExecStart; the checkout's ./vigil launcher repeats them). Measured idle on the embedded pair:
 * --single-threaded-gc drops V8's GC helper threads, about a third of the daemon's idle
 * wakeups; --max-semi-space-size=1 takes effect only on the command line (set at run time, the
 * young generation is already sized); --lite-mode is also set at run time by bin/vigil.ts.
 */
export const DAEMON_NODE_FLAGS = ['--lite-mode', '--max-semi-space-size=1', '--single-threaded-gc'] as const;

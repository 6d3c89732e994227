/**
 * Node flags for vigil's two daemons where vigil writes their command lines (the systemd units'
 * ExecStart, the embedded launcher's agent command; the checkout's ./vigil launcher repeats the
 * watchdog's). Measured idle on the embedded pair:
 * --single-threaded-gc drops V8's GC helper threads, about a third of the daemon's idle
 * wakeups; --max-semi-space-size=1 takes effect only on the command line (set at run time, the
 * young generation is already sized); --lite-mode is also set at run time by bin/vigil.ts.
 */
export const DAEMON_NODE_FLAGS = ['--lite-mode', '--max-semi-space-size=1', '--single-threaded-gc'] as const;

/**
 * The bundled vigil-agent: --expose-gc for the gc fault; --max-semi-space-size=1 keeps V8 from
 * growing an idle agent's young generation to 3 × 16 MB: about 29 MB less VmRSS.
 */
export const BUNDLED_AGENT_NODE_FLAGS = ['--expose-gc', '--max-semi-space-size=1'] as const;

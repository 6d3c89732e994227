/**
 * Node flags for vigil's two daemons where vigil writes their command lines (the systemd units'
 * ExecStart, the embedded launcher's agent command; the checkout's ./vigil launcher repeats the
 * watchdog's). Measured idle on the embedded pair:
 * --single-threaded-gc drops V8's GC helper threads, about a third of the daemon's idle
 * wakeups; --max-semi-space-size=1 takes effect only on the command line (set at run time, the
 * young generation is already sized); --lite-mode is also set at run time by bin/vigil.ts.
 * --no-expose-wasm: lite mode turns WebAssembly off anyway, and says so on stderr ("disabling
 * flag --expose_wasm") at every start unless it is off already.
 */
export const DAEMON_NODE_FLAGS = [
  '--lite-mode',
  '--no-expose-wasm',
  '--max-semi-space-size=1',
  '--single-threaded-gc',
] as const;

/**
 * The bundled vigil-agent: --expose-gc for the gc fault; --max-semi-space-size=1 keeps V8 from
 * growing an idle agent's young generation to 3 × 16 MB: about 29 MB less VmRSS. --lite-mode
 * (no optimizing compilers: the agent's JavaScript is a few checks a minute and a heartbeat) and
 * --single-threaded-gc took an idle agent from 76.6 to 66.9 MB. Lite mode also turns off
 * WebAssembly, so nothing in the agent may use fetch (its HTTP parser is WebAssembly): HTTP
 * checks and alerts go through node:http.
 */
export const BUNDLED_AGENT_NODE_FLAGS = [
  '--lite-mode',
  '--no-expose-wasm',
  '--single-threaded-gc',
  '--expose-gc',
  '--max-semi-space-size=1',
] as const;
